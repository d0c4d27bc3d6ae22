// Issue 14, item 4: times in RFC 3339. Each time on both sides of the schema's boundary
// (operator/test/validate/time-boundary.ts) goes to the real API server of the hub, as the
// validUntil of a NetworkLink and of an AccessGrant (server-side dry run: every check,
// nothing stored), and through `govcloud validate`: both must give the same verdict. Then
// windows whose ends mix nine fractional digits, offsets and a lower-case t and z: the
// API server's CEL rule and the offline one must agree on their order.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as assert from 'uvu/assert';
import { stringify } from 'yaml';
import { ACCEPTED, REFUSED } from '../../operator/test/validate/time-boundary.ts';
import { govcloudBin, ROOT, type Cluster } from '../harness/index.ts';
import { API, type Obj } from './platform.ts';
import { operatorSuite } from './suite.ts';

const test = operatorSuite('operator: times in RFC 3339, the API server and validate agree', { startOperator: false });
const run = promisify(execFile);

type Window = { validFrom?: string; validUntil: string };

function link(ns: string, name: string, window: Window): Obj {
  return {
    apiVersion: API,
    kind: 'NetworkLink',
    metadata: { name, namespace: ns },
    spec: { workspace: 'apps', direction: 'Egress', peer: { agency: { name: 'peer', workspace: 'web' } }, ports: [{ port: 443 }], ...window },
  };
}

function grant(ns: string, name: string, window: Window): Obj {
  return {
    apiVersion: API,
    kind: 'AccessGrant',
    metadata: { name, namespace: ns },
    spec: { service: 'population', consumer: 'peer', purpose: 'e2e', legalBasis: 'e2e', ...window },
  };
}

const plural: Record<string, string> = { NetworkLink: 'networklinks', AccessGrant: 'accessgrants' };

/** The API server's verdict on creating `o` (dry run): undefined when accepted, else its message. */
async function serverVerdict(hub: Cluster, o: Obj): Promise<string | undefined> {
  const res = await hub.request('POST', `/apis/${API}/namespaces/${o.metadata!.namespace}/${plural[o.kind!]}?dryRun=All`, o);
  if (res.status === 201 || res.status === 200) return undefined;
  const message = (res.body as { message?: string } | undefined)?.message ?? '';
  assert.is(res.status, 422, `${o.kind}/${o.metadata!.name}: ${res.status} ${message}`);
  return message;
}

/** `govcloud validate` of the objects: the problems it reports on validFrom and validUntil, by object. */
async function offlineVerdicts(objects: Obj[]): Promise<Map<string, string[]>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'govcloud-times-'));
  try {
    writeFileSync(path.join(dir, 'objects.yaml'), objects.map((o) => stringify(o)).join('---\n'));
    let out: string;
    try {
      out = (await run(process.execPath, [govcloudBin(), 'validate', dir], { cwd: ROOT, maxBuffer: 1 << 24 })).stdout;
    } catch (err) {
      out = (err as { stdout?: string }).stdout ?? '';
    }
    const verdicts = new Map<string, string[]>();
    for (const line of out.split('\n')) {
      const m = /objects\.yaml:\d+: (\w+\/[\w.-]+): (spec\.valid(?:From|Until): .*)$/.exec(line);
      if (m) verdicts.set(m[1]!, [...(verdicts.get(m[1]!) ?? []), m[2]!]);
    }
    return verdicts;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A hub namespace of an agency that does not exist: the objects are only ever dry-run, so none needs one. */
async function withNamespace(hub: Cluster, fn: (ns: string) => Promise<void>): Promise<void> {
  const ns = `govcloud-e2e-times-${randomBytes(3).toString('hex')}`;
  await hub.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  try {
    await fn(ns);
  } finally {
    await hub.request('DELETE', `/api/v1/namespaces/${ns}`);
  }
}

test('each time on both sides of the boundary: the API server and validate give the same verdict', ({ hub }) =>
  withNamespace(hub, async (ns) => {
    const cases: { object: Obj; accepted: boolean; text: string }[] = [];
    const all: [string, boolean][] = [
      ...ACCEPTED.map(([text]) => [text, true] as [string, boolean]),
      ...REFUSED.map((text) => [text, false] as [string, boolean]),
    ];
    all.forEach(([text, accepted], i) => {
      cases.push({ object: link(ns, `time-${i}`, { validUntil: text }), accepted, text });
      cases.push({ object: grant(ns, `time-${i}`, { validUntil: text }), accepted, text });
    });
    const offline = await offlineVerdicts(cases.map((c) => c.object));
    const disagreements: string[] = [];
    for (const { object, accepted, text } of cases) {
      const label = `${object.kind}/${object.metadata!.name}`;
      const server = await serverVerdict(hub, object);
      const local = offline.get(label);
      if ((server === undefined) !== accepted)
        disagreements.push(
          `${label} ${JSON.stringify(text)}: the API server ${server === undefined ? 'accepted' : `refused (${server})`}, expected ${accepted ? 'accepted' : 'refused'}`,
        );
      if ((local === undefined) !== accepted)
        disagreements.push(
          `${label} ${JSON.stringify(text)}: validate ${local === undefined ? 'accepted' : `refused (${local.join('; ')})`}, expected ${accepted ? 'accepted' : 'refused'}`,
        );
      if (server !== undefined) assert.match(server, /spec\.validUntil/, `${label}: the API server names the field`);
    }
    assert.equal(disagreements, []);
  }));

test('window order with nine fractional digits, offsets and lower case: the CEL rule gives the same verdict online and offline', ({ hub }) =>
  withNamespace(hub, async (ns) => {
    const windows: [string, string, boolean][] = [
      ['2026-01-01t00:00:00z', '2027-01-01T07:00:00.123456789+07:00', true],
      ['2027-01-01T07:00:00.123456789+07:00', '2026-01-01t00:00:00z', false],
      ['2027-01-01T07:00:00.123456789+07:00', '2027-01-01t00:00:00.124z', true],
      ['2027-01-01T07:00:00.123456789+07:00', '2027-01-01t00:00:00.122z', false],
      ['2027-01-01T00:00:00Z', '2027-01-01t07:00:00+07:00', false],
    ];
    const cases = windows.map(([validFrom, validUntil, accepted], i) => ({ object: grant(ns, `order-${i}`, { validFrom, validUntil }), accepted }));
    const offline = await offlineVerdicts(cases.map((c) => c.object));
    for (const { object, accepted } of cases) {
      const label = `${object.kind}/${object.metadata!.name} [${object.spec.validFrom}, ${object.spec.validUntil})`;
      const server = await serverVerdict(hub, object);
      const local = offline.get(`${object.kind}/${object.metadata!.name}`);
      assert.is(server === undefined, accepted, `${label}: the API server ${server ?? 'accepted'}`);
      assert.is(local === undefined, accepted, `${label}: validate ${local?.join('; ') ?? 'accepted'}`);
      if (!accepted) {
        assert.match(server!, /validFrom must be before validUntil/, label);
        assert.equal(local, ['spec.validUntil: validFrom must be before validUntil'], label);
      }
    }
  }));

test.run();
