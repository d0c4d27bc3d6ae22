// The small parts: the resource table against what the renderers
// emit for samples/, requeue arithmetic, the access history, and the command line.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadAndValidate } from '../../src/cli/check.ts';
import { operatorOptions } from '../../src/cli/commands/operator.ts';
import { captureIo } from '../../src/cli/io.ts';
import { UsageError } from '../../src/cli/command.ts';
import { nextHistory } from '../../src/controllers/access.ts';
import { requeueFor } from '../../src/controllers/context.ts';
import { orphanBody, namespaceConflict } from '../../src/controllers/namespaces.ts';
import { CHILD_RESOURCES, objectPath, resourceOf } from '../../src/controllers/resources.ts';
import { emptyPlatform } from '../../src/model/platform.ts';
import { renderPlatform } from '../../src/render/index.ts';

test('the resource table covers every kind the renderers emit for samples/, with paths', async () => {
  const result = await loadAndValidate(['samples'], captureIo({ cwd: process.cwd() }));
  assert.equal(result.errors, []);
  const rendered = renderPlatform(result.platform, new Date('2026-01-01T00:00:00Z'));
  const kinds = new Set(rendered.perDataCentre.flatMap((d) => d.objects.map((o) => `${o.apiVersion} ${o.kind}`)));
  assert.ok(kinds.size >= 11, [...kinds].join(', '));
  for (const k of kinds) {
    const [apiVersion, kind] = k.split(' ');
    assert.ok(resourceOf({ apiVersion, kind }), `${k} is in the resource table`);
  }
  assert.is(CHILD_RESOURCES.length, new Set(CHILD_RESOURCES.map((r) => r.kind)).size);
  assert.is(
    objectPath({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace: 'btc-thue', name: 'govcloud-default-deny' } }),
    '/apis/networking.k8s.io/v1/namespaces/btc-thue/networkpolicies/govcloud-default-deny',
  );
  assert.is(objectPath({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'btc-thue' } }), '/api/v1/namespaces/btc-thue');
  assert.is(objectPath({ apiVersion: 'govcloud.dev/v1alpha1', kind: 'Agency', metadata: { name: 'btc' } }), '/apis/govcloud.dev/v1alpha1/agencies/btc');
  assert.throws(() => objectPath({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'x', name: 'y' } }), /does not manage/);
});

test('requeueFor: just after the boundary, capped, nothing without one', () => {
  assert.is(requeueFor(undefined, 0, 1000), undefined);
  assert.is(requeueFor(new Date(10_000), 0, 86_400_000), 10_050);
  assert.is(requeueFor(new Date(Date.UTC(2030, 0, 1)), Date.UTC(2026, 0, 1), 86_400_000), 86_400_000, 'a timer years out would overflow');
  assert.is(requeueFor(new Date(5), 10, 1000), 45);
});

test('history: Granted once, then Expired or Revoked, replayed from the history itself', () => {
  const platform = emptyPlatform();
  const match = { consumer: 'hanoi', request: 'govcloud-hanoi/r', grant: 'govcloud-bca/g', workspaces: ['dvc'] };
  const first = nextHistory(undefined, [match], platform, Date.UTC(2026, 0, 1));
  assert.equal(
    first.added.map((e) => e.event),
    ['Granted'],
  );
  const again = nextHistory(first.history, [match], platform, Date.UTC(2026, 0, 2));
  assert.equal(again.added, [], 'no second line for an open pair');
  const revoked = nextHistory(first.history, [], platform, Date.UTC(2026, 0, 2));
  assert.equal(
    revoked.added.map((e) => [e.event, e.grant, e.request]),
    [['Revoked', 'govcloud-bca/g', 'govcloud-hanoi/r']],
  );
  platform.grants.push({
    apiVersion: 'govcloud.dev/v1alpha1',
    kind: 'AccessGrant',
    metadata: { name: 'g', namespace: 'govcloud-bca' },
    spec: { service: 's', consumer: 'hanoi', purpose: 'p', legalBasis: 'l', validUntil: '2026-01-01T12:00:00Z' },
  });
  const expired = nextHistory(first.history, [], platform, Date.UTC(2026, 0, 2));
  assert.equal(
    expired.added.map((e) => e.event),
    ['Expired'],
  );
  const many = Array.from({ length: 120 }, (_, i) => ({ time: 't', event: 'Revoked' as const, consumer: 'c', grant: `g${i}` }));
  assert.is(nextHistory(many, [match], platform, 0).history.length, 100, 'the last 100');
});

test('orphaning keeps isolation labels and data, drops managed-by and owner; only own orphans are re-adopted', () => {
  const live = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: 'btc-thue',
      labels: {
        'app.kubernetes.io/managed-by': 'govcloud',
        'govcloud.dev/owner': 'Agency..btc',
        'govcloud.dev/agency': 'G12',
        'govcloud.dev/agency-name': 'btc',
        'govcloud.dev/agency-uid': 'uid-btc-1',
        'govcloud.dev/workspace': 'thue',
        'pod-security.kubernetes.io/enforce': 'restricted',
        'kubernetes.io/metadata.name': 'btc-thue',
      },
      annotations: { 'govcloud.dev/display-name': 'Bộ Tài chính' },
    },
  };
  const body = orphanBody(live);
  assert.equal(body.metadata?.labels, {
    'govcloud.dev/agency': 'G12',
    'govcloud.dev/agency-name': 'btc',
    'govcloud.dev/agency-uid': 'uid-btc-1',
    'govcloud.dev/workspace': 'thue',
    'pod-security.kubernetes.io/enforce': 'restricted',
    'govcloud.dev/orphaned': 'true',
  });
  assert.equal(body.metadata?.annotations, { 'govcloud.dev/display-name': 'Bộ Tài chính' });
  const orphan = { ...live, metadata: { ...live.metadata, labels: body.metadata!.labels! } };
  const btc = { name: 'btc', code: 'G12', uid: 'uid-btc-1' };
  assert.is(namespaceConflict(orphan, btc, 'Agency..btc'), undefined, 'its own orphan');
  assert.is(namespaceConflict(orphan, { ...btc, uid: 'uid-btc-2' }, 'Agency..btc'), undefined, 'a new Agency of the same code (a reinstall)');
  assert.is(namespaceConflict(orphan, { ...btc, code: 'G99' }, 'Agency..btc'), undefined, 'the same Agency object');
  const impostor = { name: 'btc', code: 'H05', uid: 'uid-btc-3' };
  assert.is(
    namespaceConflict(orphan, impostor, 'Agency..btc'),
    "namespace btc-thue was retained from agency code G12, this agency's code is H05: held back until a platform engineer releases it (annotation govcloud.dev/release-to=<uid of this Agency>)",
  );
  const released = { ...orphan, metadata: { ...orphan.metadata, annotations: { 'govcloud.dev/release-to': 'uid-btc-3' } } };
  assert.is(namespaceConflict(released, impostor, 'Agency..btc'), undefined, 'released to this Agency');
  assert.match(namespaceConflict(released, { ...impostor, uid: 'uid-btc-4' }, 'Agency..btc')!, /held back/, 'released to another one');
  assert.match(namespaceConflict(released, { name: 'btc', code: 'H05' }, 'Agency..btc')!, /held back/, 'offline, without a uid, only the code counts');
  const { 'govcloud.dev/agency': _code, ...unrecorded } = body.metadata!.labels!;
  assert.match(
    namespaceConflict({ ...orphan, metadata: { ...orphan.metadata, labels: unrecorded } }, { ...btc, uid: 'x' }, 'Agency..btc')!,
    /an agency whose code it does not record/,
  );
  assert.match(namespaceConflict(orphan, { ...btc, name: 'other' }, 'Agency..other')!, /not managed by govcloud/);
  assert.match(namespaceConflict(live, { ...btc, name: 'other' }, 'Agency..other')!, /belongs to Agency..btc: not taken over/);
  assert.is(namespaceConflict(live, btc, 'Agency..btc'), undefined);
});

test('govcloud operator: flags, environment, defaults and bad values', () => {
  const io = captureIo({ env: {} });
  const d = operatorOptions([], io);
  assert.equal([d.namespace, d.metricsPort, d.leaderElect, d.concurrency, d.logLevel], ['govcloud-system', 8080, true, 4, 'info']);
  assert.match(d.identity, new RegExp(`_${process.pid}$`));
  const env = captureIo({
    env: {
      GOVCLOUD_NAMESPACE: 'ops',
      GOVCLOUD_HTTP_PORT: '9090',
      GOVCLOUD_LEADER_ELECTION: 'false',
      GOVCLOUD_LOG_LEVEL: 'debug',
      GOVCLOUD_POD_NAME: 'govcloud-operator-7d9',
    },
  });
  const e = operatorOptions([], env);
  assert.equal([e.namespace, e.metricsPort, e.leaderElect, e.logLevel, e.identity], ['ops', 9090, false, 'debug', `govcloud-operator-7d9_${process.pid}`]);
  const f = operatorOptions(
    ['--kubeconfig', 'k.yaml', '--context', 'dc-hanoi', '--metrics-port', '0', '--leader-elect=false', '--concurrency', '8', '--log-level', 'warn'],
    env,
  );
  assert.equal([f.kubeconfig, f.context, f.metricsPort, f.leaderElect, f.concurrency, f.logLevel], ['k.yaml', 'dc-hanoi', 0, false, 8, 'warn']);
  assert.is(operatorOptions(['--leader-elect'], env).leaderElect, true);
  assert.is(operatorOptions(['--no-leader-elect'], io).leaderElect, false);
  assert.throws(
    () => operatorOptions(['--metrics-port', 'http'], io),
    (err: Error) => err instanceof UsageError && /--metrics-port must be a whole number/.test(err.message),
  );
  assert.throws(
    () => operatorOptions(['--concurrency', '0'], io),
    (err: Error) => err instanceof UsageError,
  );
  assert.throws(
    () => operatorOptions(['--leader-elect=maybe'], io),
    (err: Error) => err instanceof UsageError,
  );
  assert.throws(
    () => operatorOptions(['extra'], io),
    (err: Error) => err instanceof UsageError,
  );
});

test('govcloud operator: leader-election timings from flags or environment, in seconds, ordered', () => {
  const timings = (o: { leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number }) => [o.leaseDurationMs, o.renewDeadlineMs, o.retryPeriodMs];
  const io = captureIo({ env: {} });
  assert.equal(timings(operatorOptions([], io)), [15_000, 10_000, 2_000], "controller-runtime's defaults");
  const env = captureIo({
    env: { GOVCLOUD_LEADER_ELECT_LEASE_DURATION: '60', GOVCLOUD_LEADER_ELECT_RENEW_DEADLINE: '40', GOVCLOUD_LEADER_ELECT_RETRY_PERIOD: '5' },
  });
  assert.equal(timings(operatorOptions([], env)), [60_000, 40_000, 5_000]);
  assert.equal(
    timings(operatorOptions(['--leader-elect-lease-duration', '30', '--leader-elect-renew-deadline=20', '--leader-elect-retry-period', '4'], env)),
    [30_000, 20_000, 4_000],
    'a flag wins over its variable',
  );
  assert.equal(timings(operatorOptions(['--leader-elect-renew-deadline', '12'], io)), [15_000, 12_000, 2_000], 'each one alone');
  const refused: Array<[string[], Record<string, string>, RegExp]> = [
    [['--leader-elect-lease-duration', '0'], {}, /^--leader-elect-lease-duration must be a whole number from 1 to 600, not "0"$/],
    [['--leader-elect-lease-duration', '601'], {}, /^--leader-elect-lease-duration must be a whole number/],
    [['--leader-elect-renew-deadline', '9.5'], {}, /^--leader-elect-renew-deadline must be a whole number/],
    [['--leader-elect-retry-period', '2s'], {}, /^--leader-elect-retry-period must be a whole number/],
    [[], { GOVCLOUD_LEADER_ELECT_RETRY_PERIOD: '' }, /^GOVCLOUD_LEADER_ELECT_RETRY_PERIOD must be a whole number/],
    [['--leader-elect-renew-deadline', '15'], {}, /^--leader-elect-renew-deadline \(15\) must be shorter than --leader-elect-lease-duration \(15\)$/],
    [
      [],
      { GOVCLOUD_LEADER_ELECT_LEASE_DURATION: '8' },
      /^--leader-elect-renew-deadline \(10\) must be shorter than GOVCLOUD_LEADER_ELECT_LEASE_DURATION \(8\)$/,
    ],
    [['--leader-elect-retry-period', '10'], {}, /^--leader-elect-retry-period \(10\) must be shorter than --leader-elect-renew-deadline \(10\)$/],
    [['--leader-elect-lease-duration'], {}, /--leader-elect-lease-duration needs a value/],
  ];
  for (const [argv, variables, message] of refused) {
    assert.throws(
      () => operatorOptions(argv, captureIo({ env: variables })),
      (err: Error) => err instanceof UsageError && message.test(err.message),
      `${argv.join(' ')} ${JSON.stringify(variables)}`,
    );
  }
});

test.run();
