// `govcloud audit` through the real dispatcher, on the real log lines of fixtures/access.jsonl
// (see history.test.ts): rotated and gzipped files, bad lines reported with file:line and
// never fatal, --agency by name or code, --since, and the three outputs.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSince } from '../../src/cli/commands/audit.ts';
import { captureIo, EXIT } from '../../src/cli/io.ts';
import { main } from '../../src/cli/main.ts';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'access.jsonl');
const CONSUMER = 'e2e-aud-cons-99edb4';
const PROVIDER = 'e2e-aud-prov-ec614e';
const lines = readFileSync(FIXTURE, 'utf8').split('\n').filter(Boolean);

async function audit(args: string[], cwd: string) {
  const io = captureIo({ cwd });
  const code = await main(['audit', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

function withFiles(files: Record<string, string | Buffer>, fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'govcloud-audit-'));
    try {
      for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

const half = Math.floor(lines.length / 2);
const rotated = {
  // As the API server rotates: the newer half in audit.log, the older one compressed beside it.
  'audit.log': lines.slice(half).join('\n') + '\n',
  'audit-2026-12-06T06-33-42.000.log.gz': gzipSync(lines.slice(0, half).join('\n') + '\n'),
};

test(
  'rotated and gzipped files, in any order: the same history as the whole log',
  withFiles({ ...rotated, 'whole.log': lines.join('\n') + '\n' }, async (dir) => {
    const whole = JSON.parse((await audit(['--audit-log', 'whole.log', '-o', 'json'], dir)).out);
    const parts = await audit(['--audit-log', 'audit.log', 'audit-2026-12-06T06-33-42.000.log.gz', '--output', 'json'], dir);
    assert.is(parts.code, EXIT.ok, parts.err);
    const json = JSON.parse(parts.out);
    assert.equal(json.accesses, whole.accesses);
    assert.equal(
      json.files.map((f: { lines: number }) => f.lines),
      [lines.length - half, half],
    );
    assert.is(json.badLines, 0);
    assert.is(json.accesses[0].grant.created.actor.user, `can-bo@${PROVIDER}.gov.vn`);
  }),
);

test(
  'bad lines: a line cut short, text, JSON that is no audit event; each named file:line on stderr, counted, and the history still printed',
  withFiles(
    {
      'audit.log': [
        lines[0],
        lines[1]!.slice(0, 120),
        'not json at all',
        ...lines.slice(2, 10),
        '{"kind":"Pod","apiVersion":"v1","objectRef":{"apiGroup":"govcloud.dev"}}',
        '',
        ...lines.slice(10),
      ].join('\n'),
      'broken.log.gz': gzipSync(lines.join('\n')).subarray(0, 500),
    },
    async (dir) => {
      const r = await audit(['--audit-log', 'audit.log', 'broken.log.gz'], dir);
      assert.is(r.code, EXIT.ok, r.err);
      assert.match(r.err, /^audit\.log:2: not a JSON object \(cut short\?\)$/m);
      assert.match(r.err, /^audit\.log:3: not a JSON object \(cut short\?\)$/m);
      assert.match(r.err, /^audit\.log:12: not an audit event/m);
      assert.match(r.err, /^broken\.log\.gz:\d+: (not a JSON object|unreadable from here on)/m);
      assert.match(r.err, /govcloud audit: [45] bad lines skipped/);
      assert.match(r.out, `${CONSUMER} → ${PROVIDER}/registry`);
      const json = JSON.parse((await audit(['--audit-log', 'audit.log', '-o', 'json'], dir)).out);
      assert.equal(
        json.bad.map((b: { line: number }) => b.line),
        [2, 3, 12],
      );
    },
  ),
);

test(
  'a file that cannot be read: exit 1 naming it; no --audit-log: usage, exit 2',
  withFiles({}, async (dir) => {
    const r = await audit(['--audit-log', 'missing.log'], dir);
    assert.is(r.code, EXIT.invalid);
    assert.match(r.err, /missing\.log: cannot read it \(ENOENT\)/);
    assert.is((await audit([], dir)).code, EXIT.usage);
    assert.is((await audit(['--audit-log', 'x', '--since', 'yesterday'], dir)).code, EXIT.usage);
  }),
);

test(
  '--agency by name or by code (from the Agency writes in the log), --since, and nothing for others',
  withFiles({ 'audit.log': lines.join('\n') }, async (dir) => {
    const json = JSON.parse((await audit(['--audit-log', 'audit.log', '-o', 'json'], dir)).out);
    const code = json.agencyCodes[CONSUMER] as string;
    assert.ok(code, JSON.stringify(json.agencyCodes));
    for (const agency of [CONSUMER, PROVIDER, code]) {
      const r = JSON.parse((await audit(['--audit-log', 'audit.log', '--agency', agency, '-o', 'json'], dir)).out);
      assert.is(r.accesses.length, 1, agency);
    }
    const other = await audit(['--audit-log', 'audit.log', '--agency', 'G99', '-o', 'json'], dir);
    assert.equal(JSON.parse(other.out).accesses, []);
    assert.match(other.err, /no Agency named G99 and none with that code/);
    const later = JSON.parse((await audit(['--audit-log', 'audit.log', '--since', '1h', '--now', '2026-12-06T08:00:00Z', '-o', 'json'], dir)).out);
    assert.is(later.accesses.length, 0, 'nothing recorded in the hour before 08:00');
    const earlier = JSON.parse((await audit(['--audit-log', 'audit.log', '--since', '2h', '--now', '2026-12-06T08:00:00Z', '-o', 'json'], dir)).out);
    assert.is(earlier.accesses.length, 1);
  }),
);

test(
  'csv: a header, one row per access, CRLF, cells with commas quoted; table: one line per access',
  withFiles({ 'audit.log': lines.join('\n') }, async (dir) => {
    const csv = (await audit(['--audit-log', 'audit.log', '--output', 'csv'], dir)).out;
    const rows = csv.split('\r\n');
    assert.is(rows.length, 3, csv);
    assert.is(rows[2], '');
    assert.ok(rows[0]!.startsWith('kind,consumer,provider,service,request,requested_by,requested_groups,requested_via,requested_at,grant,'));
    assert.ok(rows[1]!.startsWith(`service,${CONSUMER},${PROVIDER},registry,govcloud-${CONSUMER}/registry-for-app,can-bo@${CONSUMER}.gov.vn,`), rows[1]);
    assert.match(rows[1]!, ',"Nghị định 47/2024/NĐ-CP, Điều 12",');
    const table = (await audit(['--audit-log', 'audit.log'], dir)).out;
    assert.match(table, /^1 access from 1 file: \d+ lines, \d+ writes to govcloud\.dev objects, 0 bad lines$/m);
    assert.match(table, /revoked \(AccessGrant govcloud-e2e-aud-prov-ec614e\/app-access deleted\)/);
    assert.match(table, /Refused writes \(2\):/);
  }),
);

test('--since: durations back from now, or an RFC 3339 time', () => {
  const now = new Date('2026-12-06T08:00:00Z');
  assert.is(parseSince('90m', now), Date.parse('2026-12-06T06:30:00Z'));
  assert.is(parseSince('1h30m', now), Date.parse('2026-12-06T06:30:00Z'));
  assert.is(parseSince('30d', now), Date.parse('2026-11-06T08:00:00Z'));
  assert.is(parseSince('2026-12-01T00:00:00Z', now), Date.parse('2026-12-01T00:00:00Z'));
  assert.throws(() => parseSince('last week', now), /--since must be a duration/);
});

test.run();
