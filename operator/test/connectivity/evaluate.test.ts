/**
 * NetworkPolicy semantics, one rule of Kubernetes per test, on small fixtures.
 * Pods: a/web (app=web, 80 "http"), a/client (app=client), b/client (app=client),
 * b/other (app=other); namespaces a (team=a), b (team=b), c (no labels, not declared).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { deployment, host, namespace, pod, policy, service, world } from './fixtures.ts';

const base = () => [
  namespace('a', { team: 'a' }),
  namespace('b', { team: 'b' }),
  pod('a/web', { app: 'web' }, [[80, 'http']]),
  pod('a/client', { app: 'client' }),
  pod('b/client', { app: 'client' }),
  pod('b/other', { app: 'other' }),
  pod('c/client', { app: 'client' }),
];

const denyAllIngress = (ns: string) => policy(`${ns}/deny-all`, { podSelector: {} });
const allowFrom = (peers: unknown[], ports?: unknown[]) =>
  policy('a/allow-web', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: peers, ...(ports ? { ports } : {}) }] });

// --- isolation -------------------------------------------------------------------------

test('no policy: everything is allowed, nothing is isolated', () => {
  const w = world(base());
  const v = w.check('b/client', 'a/web', 80);
  assert.is(v.verdict, 'allowed');
  assert.is(v.ingress.isolated, false);
  assert.is(v.egress.isolated, false);
});

test('a policy that selects other pods does not isolate this one', () => {
  const w = world([...base(), policy('a/only-db', { podSelector: { matchLabels: { app: 'db' } } })]);
  assert.ok(w.can('b/client', 'a/web', 80));
});

test('a policy isolates only pods of its own namespace', () => {
  const w = world([...base(), denyAllIngress('b')]);
  assert.ok(w.can('b/client', 'a/web', 80));
  assert.not.ok(w.can('a/client', 'b/other', 80));
});

test('default-deny ingress: podSelector {} and no ingress rules denies all ingress, egress untouched', () => {
  const w = world([...base(), denyAllIngress('a')]);
  const v = w.check('b/client', 'a/web', 80);
  assert.is(v.verdict, 'denied');
  assert.is(v.ingress.isolated, true);
  assert.equal(v.ingress.isolatedBy, ['a/deny-all']);
  assert.equal(v.ingress.allowedBy, []);
  assert.ok(w.can('a/web', 'b/client', 80), 'egress from an ingress-isolated pod is not isolated');
});

test('same-namespace traffic is denied too by a namespace default-deny', () => {
  const w = world([...base(), denyAllIngress('a')]);
  assert.not.ok(w.can('a/client', 'a/web', 80));
});

test('policyTypes [Ingress] with no ingress section denies all ingress', () => {
  const w = world([...base(), policy('a/deny', { podSelector: {}, policyTypes: ['Ingress'] })]);
  assert.not.ok(w.can('b/client', 'a/web', 80));
});

test('trap: policyTypes [Egress] only does not isolate ingress, even with ingress rules written', () => {
  const w = world([
    ...base(),
    policy('a/egress-only', {
      podSelector: {},
      policyTypes: ['Egress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'nobody' } } }] }],
      egress: [{}],
    }),
  ]);
  const v = w.check('b/client', 'a/web', 80);
  assert.is(v.verdict, 'allowed');
  assert.is(v.ingress.isolated, false);
});

test('trap: egress-only default-deny (policyTypes [Egress], no rules) blocks egress, not ingress', () => {
  const w = world([...base(), policy('a/deny-egress', { podSelector: {}, policyTypes: ['Egress'] })]);
  const out = w.check('a/client', 'b/other', 80);
  assert.is(out.verdict, 'denied');
  assert.is(out.egress.isolated, true);
  assert.equal(out.egress.isolatedBy, ['a/deny-egress']);
  assert.is(out.ingress.isolated, false);
  assert.ok(w.can('b/client', 'a/web', 80), 'ingress into a is still open');
});

test('egress isolation of the source denies even when the destination is open', () => {
  const w = world([...base(), policy('b/deny-egress', { podSelector: {}, policyTypes: ['Egress'] })]);
  assert.not.ok(w.can('b/client', 'a/web', 80));
  assert.not.ok(w.can('b/client', 'b/other', 80), 'also inside the namespace');
});

test('trap: no policyTypes and `egress: []` is not an egress policy (default needs a non-empty egress list)', () => {
  const w = world([...base(), policy('a/p', { podSelector: { matchLabels: { app: 'client' } }, ingress: [{}], egress: [] })]);
  const v = w.check('a/client', 'b/other', 80);
  assert.is(v.egress.isolated, false);
  assert.is(v.verdict, 'allowed');
});

test('no policyTypes and a non-empty egress list: the policy affects egress as well as ingress', () => {
  const w = world([
    ...base(),
    policy('a/p', { podSelector: { matchLabels: { app: 'client' } }, egress: [{ to: [{ namespaceSelector: { matchLabels: { team: 'b' } } }] }] }),
  ]);
  assert.ok(w.can('a/client', 'b/other', 80));
  assert.not.ok(w.can('a/client', 'a/web', 80), 'egress isolated: only namespace b');
  assert.not.ok(w.can('b/client', 'a/client', 80), 'ingress isolated too (the default always includes Ingress)');
});

test('policyTypes [Ingress] with egress rules written: the egress rules are ignored', () => {
  const w = world([
    ...base(),
    policy('a/p', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}], egress: [{ to: [{ podSelector: { matchLabels: { app: 'nobody' } } }] }] }),
  ]);
  assert.ok(w.can('a/client', 'b/other', 80));
});

test('traffic needs both: source egress and destination ingress', () => {
  const egressToWeb = policy('b/egress', {
    podSelector: {},
    policyTypes: ['Egress'],
    egress: [{ to: [{ namespaceSelector: { matchLabels: { team: 'a' } }, podSelector: { matchLabels: { app: 'web' } } }] }],
  });
  const w1 = world([...base(), egressToWeb, denyAllIngress('a')]);
  const v = w1.check('b/client', 'a/web', 80);
  assert.is(v.verdict, 'denied');
  assert.is(v.egress.coverage, 'all');
  assert.is(v.ingress.coverage, 'none');
  const w2 = world([...base(), egressToWeb, allowFrom([{ namespaceSelector: {} }])]);
  assert.ok(w2.can('b/client', 'a/web', 80));
});

test('policies are additive: a deny-all and an allow together allow', () => {
  const w = world([...base(), denyAllIngress('a'), allowFrom([{ podSelector: { matchLabels: { app: 'client' } } }])]);
  const v = w.check('a/client', 'a/web', 80);
  assert.is(v.verdict, 'allowed');
  assert.equal(v.ingress.isolatedBy, ['a/allow-web', 'a/deny-all']);
  assert.equal(v.ingress.allowedBy, [{ policy: 'a/allow-web', direction: 'ingress', rule: 0, peer: 0 }]);
});

// --- peers -----------------------------------------------------------------------------

test('an ingress rule `{}` allows every source, pods and external hosts', () => {
  const w = world([...base(), policy('a/all', { podSelector: {}, ingress: [{}] })], [host('ext', '203.0.113.7')]);
  assert.ok(w.can('c/client', 'a/web', 80));
  assert.ok(w.can('ext', 'a/web', 80));
});

test('an explicit empty `from: []` also means every source', () => {
  const w = world([...base(), allowFrom([])], [host('ext', '203.0.113.7')]);
  assert.ok(w.can('b/client', 'a/web', 80));
  assert.ok(w.can('ext', 'a/web', 80));
});

test("podSelector alone selects pods of the policy's own namespace only", () => {
  const w = world([...base(), allowFrom([{ podSelector: { matchLabels: { app: 'client' } } }])]);
  assert.ok(w.can('a/client', 'a/web', 80));
  assert.not.ok(w.can('b/client', 'a/web', 80), 'same labels, other namespace');
});

test('podSelector {} alone: every pod of the same namespace, no other', () => {
  const w = world([...base(), allowFrom([{ podSelector: {} }])]);
  assert.ok(w.can('a/client', 'a/web', 80));
  assert.not.ok(w.can('b/other', 'a/web', 80));
});

test('namespaceSelector alone selects all pods of matching namespaces', () => {
  const w = world([...base(), allowFrom([{ namespaceSelector: { matchLabels: { team: 'b' } } }])]);
  assert.ok(w.can('b/client', 'a/web', 80));
  assert.ok(w.can('b/other', 'a/web', 80));
  assert.not.ok(w.can('a/client', 'a/web', 80), 'not even its own namespace unless it matches');
});

test('namespaceSelector {}: every pod in every namespace, but no external host', () => {
  const w = world([...base(), allowFrom([{ namespaceSelector: {} }])], [host('ext', '203.0.113.7')]);
  assert.ok(w.can('c/client', 'a/web', 80));
  assert.ok(w.can('a/client', 'a/web', 80));
  assert.not.ok(w.can('ext', 'a/web', 80));
});

test('trap: namespaceSelector and podSelector in ONE peer are ANDed', () => {
  const w = world([...base(), allowFrom([{ namespaceSelector: { matchLabels: { team: 'b' } }, podSelector: { matchLabels: { app: 'client' } } }])]);
  assert.ok(w.can('b/client', 'a/web', 80));
  assert.not.ok(w.can('b/other', 'a/web', 80), 'right namespace, wrong pod');
  assert.not.ok(w.can('a/client', 'a/web', 80), 'right pod, wrong namespace');
});

test('trap: namespaceSelector and podSelector as TWO peers are ORed', () => {
  const w = world([...base(), allowFrom([{ namespaceSelector: { matchLabels: { team: 'b' } } }, { podSelector: { matchLabels: { app: 'client' } } }])]);
  assert.ok(w.can('b/other', 'a/web', 80), 'any pod of namespace b');
  assert.ok(w.can('a/client', 'a/web', 80), "client pods of the policy's namespace");
  assert.not.ok(w.can('c/client', 'a/web', 80), 'client pods elsewhere match neither');
  const v = w.check('a/client', 'a/web', 80);
  assert.equal(v.ingress.allowedBy[0]?.peer, 1, 'the second peer matched');
});

test('kubernetes.io/metadata.name is implied for declared and undeclared namespaces', () => {
  const byName = (n: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': n } } });
  const w = world([...base(), allowFrom([byName('b'), byName('c')])]);
  assert.ok(w.can('b/client', 'a/web', 80), 'declared without that label');
  assert.ok(w.can('c/client', 'a/web', 80), 'never declared');
  assert.not.ok(w.can('a/client', 'a/web', 80));
});

test('matchExpressions In', () => {
  const w = world([...base(), allowFrom([{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['b', 'x'] }] } }])]);
  assert.ok(w.can('b/client', 'a/web', 80));
  assert.not.ok(w.can('c/client', 'a/web', 80), 'c has no team label');
});

test('matchExpressions NotIn matches pods that lack the label', () => {
  const w = world([...base(), allowFrom([{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['b'] }] } }])]);
  assert.ok(w.can('c/client', 'a/web', 80), 'no team label: not in');
  assert.ok(w.can('a/client', 'a/web', 80));
  assert.not.ok(w.can('b/client', 'a/web', 80));
});

test('matchExpressions Exists and DoesNotExist', () => {
  const exists = world([...base(), allowFrom([{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'Exists' }] } }])]);
  assert.ok(exists.can('b/client', 'a/web', 80));
  assert.not.ok(exists.can('c/client', 'a/web', 80));
  const absent = world([...base(), allowFrom([{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] } }])]);
  assert.ok(absent.can('c/client', 'a/web', 80));
  assert.not.ok(absent.can('b/client', 'a/web', 80));
});

test('matchLabels and matchExpressions in one selector are ANDed', () => {
  const w = world([
    ...base(),
    pod('b/client2', { app: 'client', tier: 'gold' }),
    allowFrom([{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'client' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] } }]),
  ]);
  assert.ok(w.can('b/client2', 'a/web', 80));
  assert.not.ok(w.can('b/client', 'a/web', 80));
});

test('the isolating podSelector uses matchExpressions too', () => {
  const w = world([...base(), policy('a/deny-non-client', { podSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['client'] }] } })]);
  assert.not.ok(w.can('b/client', 'a/web', 80));
  assert.ok(w.can('b/client', 'a/client', 80));
});

test('selector peers never match an external host', () => {
  const w = world([...base(), allowFrom([{ podSelector: {} }, { namespaceSelector: {} }])], [host('ext', '10.0.0.1')]);
  assert.not.ok(w.can('ext', 'a/web', 80));
});

// --- ipBlock ---------------------------------------------------------------------------

test('ipBlock admits a host inside the cidr, not one outside', () => {
  const w = world([...base(), allowFrom([{ ipBlock: { cidr: '192.0.2.0/24' } }])], [host('in', '192.0.2.10'), host('out', '198.51.100.1')]);
  assert.ok(w.can('in', 'a/web', 80));
  assert.not.ok(w.can('out', 'a/web', 80));
});

test('ipBlock except carves addresses out', () => {
  const w = world(
    [...base(), allowFrom([{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16', '10.2.3.0/24'] } }])],
    [host('ok', '10.3.0.1'), host('ex1', '10.1.2.3'), host('ex2', '10.2.3.4'), host('edge', '10.2.4.0')],
  );
  assert.ok(w.can('ok', 'a/web', 80));
  assert.not.ok(w.can('ex1', 'a/web', 80));
  assert.not.ok(w.can('ex2', 'a/web', 80));
  assert.ok(w.can('edge', 'a/web', 80), 'just outside the except');
});

test('ipBlock with IPv6 cidr and except', () => {
  const w = world(
    [...base(), allowFrom([{ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:bad::/48'] } }])],
    [host('v6', '2001:db8:1::5'), host('bad', '2001:db8:bad::1'), host('other', '2001:db9::1')],
  );
  assert.ok(w.can('v6', 'a/web', 80));
  assert.not.ok(w.can('bad', 'a/web', 80));
  assert.not.ok(w.can('other', 'a/web', 80));
});

test('families do not mix: 0.0.0.0/0 admits no IPv6 host, ::/0 no IPv4 host', () => {
  const w4 = world([...base(), allowFrom([{ ipBlock: { cidr: '0.0.0.0/0' } }])], [host('v6', '2001:db8::1'), host('v4', '192.0.2.1')]);
  assert.not.ok(w4.can('v6', 'a/web', 80));
  assert.ok(w4.can('v4', 'a/web', 80));
  const w6 = world([...base(), allowFrom([{ ipBlock: { cidr: '::/0' } }])], [host('v4', '192.0.2.1'), host('mapped', '::ffff:192.0.2.1')]);
  assert.not.ok(w6.can('v4', 'a/web', 80));
  assert.ok(w6.can('mapped', 'a/web', 80), 'an IPv4-mapped address is IPv6 here');
});

test('a host range partly inside an ipBlock is partial, with the addresses allowed', () => {
  const w = world([...base(), allowFrom([{ ipBlock: { cidr: '10.20.0.0/17' } }])], [host('dc-hcm', '10.20.0.0/16')]);
  const v = w.check('dc-hcm', 'a/web', 80);
  assert.is(v.verdict, 'partial');
  assert.is(v.ingress.coverage, 'some');
  assert.equal(v.ingress.addresses, ['10.20.0.0/17']);
  assert.equal(v.ingress.allowedBy[0]?.addresses, ['10.20.0.0/17']);
});

test('two ipBlocks that each cover half of a host range together cover all of it', () => {
  const w = world(
    [
      ...base(),
      policy('a/p', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.20.0.0/17' } }] }, { from: [{ ipBlock: { cidr: '10.20.128.0/17' } }] }] }),
    ],
    [host('dc-hcm', '10.20.0.0/16')],
  );
  const v = w.check('dc-hcm', 'a/web', 80);
  assert.is(v.verdict, 'allowed');
  assert.is(v.ingress.allowedBy.length, 2);
});

test('decision: ipBlock never matches pods, even 0.0.0.0/0 (pod IPs are left implementation-defined)', () => {
  const w = world([...base(), allowFrom([{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }])]);
  assert.not.ok(w.can('b/client', 'a/web', 80));
});

test('egress to an external host through an ipBlock; the host side is not governed', () => {
  const w = world(
    [
      ...base(),
      policy('a/egress', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ port: 443 }] }] }),
    ],
    [host('api', '203.0.113.9'), host('elsewhere', '198.51.100.9')],
  );
  const v = w.check('a/client', 'api', 443);
  assert.is(v.verdict, 'allowed');
  assert.is(v.ingress.applies, false);
  assert.not.ok(w.can('a/client', 'api', 80), 'other port');
  assert.not.ok(w.can('a/client', 'elsewhere', 443), 'other address');
  assert.ok(w.can('b/client', 'elsewhere', 443), 'a pod without egress isolation reaches any host');
});

// --- ports -----------------------------------------------------------------------------

test('protocol defaults to TCP: a rule for port 53 does not open UDP 53', () => {
  const w = world([...base(), pod('a/dns', { app: 'web' }, [53]), allowFrom([{ podSelector: {} }], [{ port: 53 }])]);
  assert.ok(w.can('a/client', 'a/dns', 53, 'TCP'));
  assert.not.ok(w.can('a/client', 'a/dns', 53, 'UDP'));
});

test('UDP and SCTP rules match their protocol only', () => {
  const w = world([
    ...base(),
    allowFrom(
      [{ podSelector: {} }],
      [
        { protocol: 'UDP', port: 53 },
        { protocol: 'SCTP', port: 3868 },
      ],
    ),
  ]);
  assert.ok(w.can('a/client', 'a/web', 53, 'UDP'));
  assert.not.ok(w.can('a/client', 'a/web', 53, 'TCP'));
  assert.ok(w.can('a/client', 'a/web', 3868, 'SCTP'));
  assert.not.ok(w.can('a/client', 'a/web', 3868, 'TCP'));
  assert.equal(w.check('a/client', 'a/web', 3868, 'SCTP').ingress.allowedBy[0]?.port, 1);
});

test('endPort: the range is inclusive at both ends', () => {
  const w = world([...base(), allowFrom([{ podSelector: {} }], [{ port: 32000, endPort: 32768 }])]);
  assert.ok(w.can('a/client', 'a/web', 32000));
  assert.ok(w.can('a/client', 'a/web', 32768));
  assert.ok(w.can('a/client', 'a/web', 32500));
  assert.not.ok(w.can('a/client', 'a/web', 31999));
  assert.not.ok(w.can('a/client', 'a/web', 32769));
});

test('a port entry with a protocol and no port opens every port of that protocol', () => {
  const w = world([...base(), allowFrom([{ podSelector: {} }], [{ protocol: 'UDP' }])]);
  assert.ok(w.can('a/client', 'a/web', 1, 'UDP'));
  assert.ok(w.can('a/client', 'a/web', 65535, 'UDP'));
  assert.not.ok(w.can('a/client', 'a/web', 80, 'TCP'));
});

test('a rule without ports opens every port of every protocol', () => {
  const w = world([...base(), allowFrom([{ podSelector: {} }])]);
  for (const protocol of ['TCP', 'UDP', 'SCTP'] as const) assert.ok(w.can('a/client', 'a/web', 12345, protocol));
});

test('within one rule, peers and ports are ANDed; across rules, ORed', () => {
  const w = world([
    ...base(),
    policy('a/p', {
      podSelector: { matchLabels: { app: 'web' } },
      ingress: [
        { from: [{ namespaceSelector: { matchLabels: { team: 'b' } } }], ports: [{ port: 443 }] },
        { from: [{ podSelector: {} }], ports: [{ port: 80 }] },
      ],
    }),
  ]);
  assert.ok(w.can('b/client', 'a/web', 443));
  assert.not.ok(w.can('b/client', 'a/web', 80), 'port 80 is for namespace a only');
  assert.ok(w.can('a/client', 'a/web', 80));
  assert.not.ok(w.can('a/client', 'a/web', 443));
});

test('trap: a named port resolves per destination pod', () => {
  const w = world([
    ...base(),
    pod('a/api-v1', { role: 'api' }, [[8080, 'http']]),
    pod('a/api-v2', { role: 'api' }, [[9090, 'http']]),
    policy('a/api', { podSelector: { matchLabels: { role: 'api' } }, ingress: [{ ports: [{ port: 'http' }] }] }),
  ]);
  assert.ok(w.can('b/client', 'a/api-v1', 8080));
  assert.not.ok(w.can('b/client', 'a/api-v1', 9090));
  assert.ok(w.can('b/client', 'a/api-v2', 9090));
  assert.not.ok(w.can('b/client', 'a/api-v2', 8080));
});

test('a named port matches only a container port of the same protocol', () => {
  const w = world([
    ...base(),
    pod('a/dns', { role: 'dns' }, [[53, 'dns', 'UDP']]),
    policy('a/dns', { podSelector: { matchLabels: { role: 'dns' } }, ingress: [{ ports: [{ port: 'dns' }] }] }),
  ]);
  assert.not.ok(w.can('b/client', 'a/dns', 53, 'UDP'), 'the rule says TCP (default), the port is UDP');
  const w2 = world([
    ...base(),
    pod('a/dns', { role: 'dns' }, [[53, 'dns', 'UDP']]),
    policy('a/dns', { podSelector: { matchLabels: { role: 'dns' } }, ingress: [{ ports: [{ port: 'dns', protocol: 'UDP' }] }] }),
  ]);
  assert.ok(w2.can('b/client', 'a/dns', 53, 'UDP'));
});

test('a named port the destination pod does not declare matches nothing', () => {
  const w = world([...base(), allowFrom([{ podSelector: {} }], [{ port: 'metrics' }])]);
  assert.not.ok(w.can('a/client', 'a/web', 80));
});

test('named ports in egress rules resolve against the destination pod', () => {
  const w = world([
    ...base(),
    pod('a/api-v1', { role: 'api' }, [[8080, 'http']]),
    pod('a/api-v2', { role: 'api' }, [[9090, 'http']]),
    policy('b/egress', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }] }),
  ]);
  assert.ok(w.can('b/client', 'a/api-v1', 8080));
  assert.ok(w.can('b/client', 'a/api-v2', 9090));
  assert.not.ok(w.can('b/client', 'a/api-v1', 9090));
  assert.ok(w.can('b/client', 'a/web', 80), 'a/web names port 80 http');
});

test('a named port never matches an external host', () => {
  const w = world(
    [...base(), policy('a/egress', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }] })],
    [host('ext', '192.0.2.1')],
  );
  assert.not.ok(w.can('a/client', 'ext', 80));
});

test('allowedPorts cuts the port space exactly, named ports resolved', () => {
  const w = world([
    ...base(),
    policy('a/p', {
      podSelector: { matchLabels: { app: 'web' } },
      ingress: [{ ports: [{ port: 'http' }, { port: 8000, endPort: 8100 }, { protocol: 'UDP', port: 53 }] }],
    }),
  ]);
  const spans = w.ev.allowedPorts(w.party('b/client'), w.party('a/web')).filter((s) => s.verdict === 'allowed');
  assert.equal(spans, [
    { protocol: 'TCP', from: 80, to: 80, verdict: 'allowed' },
    { protocol: 'TCP', from: 8000, to: 8100, verdict: 'allowed' },
    { protocol: 'UDP', from: 53, to: 53, verdict: 'allowed' },
  ]);
});

// --- validation: what the API server would refuse is reported and left out ------------------

const refused = (spec: Record<string, unknown>, field: string) => {
  const w = world([...base(), policy('a/bad', spec)], [], { allowProblems: true });
  assert.is(w.inv.policies.length, 0, 'the policy is left out');
  assert.ok(
    w.inv.problems.some((p) => p.field === field && p.object === 'NetworkPolicy/bad'),
    `expected a problem at ${field}, got ${JSON.stringify(w.inv.problems)}`,
  );
};

test('refused: ipBlock together with a selector in one peer', () => {
  refused({ podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }] }, 'spec.ingress[0].from[0]');
});

test('refused: an except that is not a strict subset of the cidr', () => {
  refused(
    { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.0.0/16'] } }] }] },
    'spec.ingress[0].from[0].ipBlock.except[0]',
  );
  refused(
    { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.1.0.0/24'] } }] }] },
    'spec.ingress[0].from[0].ipBlock.except[0]',
  );
});

test('refused: endPort without a numeric port, endPort below port, a quoted number', () => {
  refused({ podSelector: {}, ingress: [{ ports: [{ port: 'http', endPort: 90 }] }] }, 'spec.ingress[0].ports[0].endPort');
  refused({ podSelector: {}, ingress: [{ ports: [{ port: 90, endPort: 80 }] }] }, 'spec.ingress[0].ports[0].endPort');
  refused({ podSelector: {}, ingress: [{ ports: [{ port: '80' }] }] }, 'spec.ingress[0].ports[0].port');
});

test('refused: an empty peer, an unknown operator, a bad protocol, a bad policyType', () => {
  refused({ podSelector: {}, ingress: [{ from: [{}] }] }, 'spec.ingress[0].from[0]');
  refused({ podSelector: { matchExpressions: [{ key: 'a', operator: 'Equals', values: ['b'] }] } }, 'spec.podSelector.matchExpressions[0].operator');
  refused({ podSelector: { matchExpressions: [{ key: 'a', operator: 'In' }] } }, 'spec.podSelector.matchExpressions[0].values');
  refused({ podSelector: {}, egress: [{ ports: [{ protocol: 'ICMP' }] }] }, 'spec.egress[0].ports[0].protocol');
  refused({ podSelector: {}, policyTypes: ['Both'] }, 'spec.policyTypes[0]');
});

// --- workloads and explanations --------------------------------------------------------

test('workloads stand for a pod with their template labels and ports, named ports included', () => {
  const w = world([
    namespace('a'),
    deployment('a/web', { app: 'web' }, [[8443, 'https']]),
    deployment('a/db', { app: 'db' }, [5432], 'StatefulSet'),
    deployment('a/agent', { app: 'agent' }, [], 'DaemonSet'),
    deployment('a/migrate', { app: 'migrate' }, [], 'Job', 'batch/v1'),
    deployment('a/backup', { app: 'backup' }, [], 'CronJob', 'batch/v1'),
    policy('a/db', {
      podSelector: { matchLabels: { app: 'db' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }, { podSelector: { matchLabels: { app: 'backup' } } }] }],
    }),
    policy('a/web', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports: [{ port: 'https' }] }] }),
  ]);
  assert.equal(
    w.inv.endpoints.map((e) => `${e.kind}/${e.name}`),
    ['DaemonSet/agent', 'CronJob/backup', 'StatefulSet/db', 'Job/migrate', 'Deployment/web'],
  );
  assert.ok(w.can('a/web', 'a/db', 5432));
  assert.ok(w.can('a/backup', 'a/db', 5432));
  assert.not.ok(w.can('a/migrate', 'a/db', 5432));
  assert.ok(w.can('a/agent', 'a/web', 8443));
  assert.not.ok(w.can('a/agent', 'a/web', 80));
});

test("real pods replace their workload's template; an owned ReplicaSet is represented by its Deployment", () => {
  const rs = {
    ...deployment('a/web-5d8', { app: 'web' }, [80], 'ReplicaSet'),
    metadata: { name: 'web-5d8', namespace: 'a', ownerReferences: [{ kind: 'Deployment', name: 'web' }] },
  };
  const livePod = {
    ...pod('a/web-5d8-x1', { app: 'web', 'pod-template-hash': '5d8' }, [80]),
    metadata: { name: 'web-5d8-x1', namespace: 'a', labels: { app: 'web' }, ownerReferences: [{ kind: 'ReplicaSet', name: 'web-5d8' }] },
  };
  const onlyTemplates = world([deployment('a/web', { app: 'web' }, [80]), rs]);
  assert.equal(
    onlyTemplates.inv.endpoints.map((e) => `${e.kind}/${e.name}`),
    ['Deployment/web'],
  );
  const live = world([deployment('a/web', { app: 'web' }, [80]), rs, livePod]);
  assert.equal(
    live.inv.endpoints.map((e) => `${e.kind}/${e.name}`),
    ['Pod/web-5d8-x1'],
  );
});

test('a Service is informational: it does not change what the evaluator allows', () => {
  const w = world([...base(), service('a/web', { app: 'web' }, [{ port: 443, targetPort: 'http' }]), allowFrom([{ podSelector: {} }], [{ port: 443 }])]);
  assert.not.ok(w.can('a/client', 'a/web', 80), 'policies see the pod port, not the Service port');
});

test('refused: a container port name that is not a string is shown as written, not as [object Object]', () => {
  const bad = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'odd', namespace: 'a' },
    spec: { containers: [{ name: 'main', image: 'x', ports: [{ containerPort: 80, name: { http: 1 } }] }] },
  };
  const w = world([...base(), bad], [], { allowProblems: true });
  const problem = w.inv.problems.find((p) => p.object === 'Pod/odd');
  assert.ok(problem, `expected a problem for Pod/odd, got ${JSON.stringify(w.inv.problems)}`);
  assert.is(problem.field, 'spec.containers[0].ports[0].name');
  assert.ok(problem.message.startsWith('{"http":1} is not a valid port name'), problem.message);
});

test.run();
