import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { intersectPorts, normalisePorts } from '../../src/model/ports.ts';

test('ports: normalised, merged and intersected per protocol', () => {
  assert.equal(normalisePorts([{ port: 443 }, { port: 80, endPort: 90 }, { port: 85, endPort: 100 }, { protocol: 'UDP', port: 53 }, { port: 101 }]), [
    { protocol: 'TCP', port: 80, endPort: 101 },
    { protocol: 'TCP', port: 443 },
    { protocol: 'UDP', port: 53 },
  ]);
  assert.equal(
    intersectPorts(
      [{ port: 8000, endPort: 8100 }, { port: 443 }],
      [
        { port: 8050, endPort: 9000 },
        { protocol: 'UDP', port: 443 },
      ],
    ),
    [{ protocol: 'TCP', port: 8050, endPort: 8100 }],
  );
  assert.equal(intersectPorts([{ port: 443 }], [{ protocol: 'TCP', port: 443 }]), [{ protocol: 'TCP', port: 443 }]);
  assert.equal(intersectPorts([{ port: 443 }], [{ port: 444 }]), []);
});

test.run();
