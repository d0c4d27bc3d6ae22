// The bench claims only its own tree's platform: an e2e run or an operator of another copy
// of the tree on this machine uses another platform and does not hold the bench up.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { inThisTree } from '../../../bench/shared-platform.ts';

test('a process of this tree: by its working directory or by a path of the tree on its command line', () => {
  const root = process.cwd();
  assert.ok(inThisTree({ pid: process.pid, cmd: 'node node_modules/uvu/bin.js e2e x' }, root), 'working directory here');
  assert.ok(inThisTree({ pid: 0, cmd: `${root}/node_modules/node/bin/node ${root}/dist/govcloud.js operator` }, root), 'the bundle of this tree');
});

test('another copy of the tree is not this one, even under a name that starts the same', () => {
  const root = process.cwd();
  assert.not.ok(inThisTree({ pid: 0, cmd: `/elsewhere/node_modules/node/bin/node /elsewhere/dist/govcloud.js operator` }, root));
  assert.not.ok(inThisTree({ pid: 0, cmd: `node ${root}-other/dist/govcloud.js operator` }, root));
  assert.not.ok(inThisTree({ pid: process.pid, cmd: 'node x' }, '/elsewhere'), 'working directory elsewhere');
});

test.run();
