import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger, controllerLogger, objectLogger } from '../../src/runtime/logger.ts';
import { captureLogs } from './log-capture.ts';

test('child loggers carry controller, cluster and object as JSON fields', async () => {
  const { lines, stream } = captureLogs();
  const log = createLogger({ level: 'debug', destination: stream });
  const obj = objectLogger(controllerLogger(log, 'tenant'), { cluster: 'dc1', object: 'agencies/tax' });
  obj.info({ applied: 3 }, 'reconciled');
  await new Promise((r) => setImmediate(r));
  const line = lines[0]!;
  assert.is(line.level, 'info');
  assert.is(line.msg, 'reconciled');
  assert.is(line.controller, 'tenant');
  assert.is(line.cluster, 'dc1');
  assert.is(line.object, 'agencies/tax');
  assert.is(line.applied, 3);
  assert.type(line.time, 'string');
});

test.run();
