/** govcloud gitops codeowners: CODEOWNERS from the Agencies' admin groups, handles by convention or map, --check. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cli, SAMPLES } from '../validate/helpers.ts';

const GITOPS = join(SAMPLES, 'gitops');
const ARGS = ['gitops', 'codeowners', 'platform', 'agencies', '--platform', '@gov-vn/platform-engineers', '--org', 'gov-vn'];

function copy(): { dir: string; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'govcloud-codeowners-'));
  cpSync(GITOPS, dir, { recursive: true });
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The rules of a CODEOWNERS text: path → owners, comments and blank lines left out. */
function rules(text: string): [string, string[]][] {
  return text
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => {
      const [path, ...owners] = l.trim().split(/\s+/);
      return [path as string, owners];
    });
}

test('the platform owns everything, platform/ and each Agency file; each agency folder its admin groups as @org/group', async () => {
  const { code, out, err } = await cli(ARGS, { cwd: GITOPS });
  assert.is(code, 0, err);
  const r = rules(out);
  assert.equal(r[0], ['*', ['@gov-vn/platform-engineers']]);
  assert.equal(r[1], ['/platform/', ['@gov-vn/platform-engineers']]);
  const bca = r.findIndex(([p]) => p === '/agencies/bca/');
  assert.equal(r[bca], ['/agencies/bca/', ['@gov-vn/bca-c06-admins']]);
  assert.equal(r[bca + 1], ['/agencies/bca/agency.yaml', ['@gov-vn/platform-engineers']], 'the Agency file after its folder: the last match wins');
  assert.is(r.filter(([p]) => /^\/agencies\/[^/]+\/$/.test(p)).length, 10, 'one folder per agency');
  assert.match(out, /^# Bộ Công an \(bca\)$/m);
});

test('the template ships the CODEOWNERS this generates; --check says whether it is up to date', async () => {
  const shipped = readFileSync(join(GITOPS, 'CODEOWNERS'), 'utf8');
  assert.is((await cli(ARGS, { cwd: GITOPS })).out, shipped);
  const ok = await cli([...ARGS, '--check', 'CODEOWNERS'], { cwd: GITOPS });
  assert.is(ok.code, 0);
  assert.is(ok.out, 'CODEOWNERS is up to date\n');
  const r = copy();
  try {
    const agency = join(r.dir, 'agencies/btc/agency.yaml');
    writeFileSync(agency, readFileSync(agency, 'utf8').replace('admins: [btc-cntt]', 'admins: [btc-cntt, btc-thue-admins]'));
    const stale = await cli([...ARGS, '--check', 'CODEOWNERS'], { cwd: r.dir });
    assert.is(stale.code, 1);
    assert.is(stale.out, 'CODEOWNERS differs from what the Agency objects say: regenerate it with the same command without --check, and commit it\n');
    const fresh = await cli(ARGS, { cwd: r.dir });
    assert.ok(rules(fresh.out).some(([p, o]) => p === '/agencies/btc/' && o.join(' ') === '@gov-vn/btc-cntt @gov-vn/btc-thue-admins'));
    const missing = await cli([...ARGS, '--check', 'NOPE'], { cwd: r.dir });
    assert.is(missing.code, 1);
    assert.match(missing.out, /^NOPE is missing/);
  } finally {
    r.dispose();
  }
});

test('--map: named groups get their handles, the rest the convention; an agency without admins stays with the platform', async () => {
  const r = copy();
  try {
    writeFileSync(join(r.dir, 'owners.yaml'), 'bca-c06-admins: ["@bca-c06", "an.nguyen@bca.gov.vn"]\n');
    const agency = join(r.dir, 'agencies/vpcp/agency.yaml');
    writeFileSync(agency, readFileSync(agency, 'utf8').replace(/\n    admins: \[[^\]]*\]/, ''));
    const { code, out, err } = await cli([...ARGS, '--map', 'owners.yaml'], { cwd: r.dir });
    assert.is(code, 0, err);
    const rs = rules(out);
    assert.ok(rs.some(([p, o]) => p === '/agencies/bca/' && o.join(' ') === '@bca-c06 an.nguyen@bca.gov.vn'));
    assert.ok(rs.some(([p, o]) => p === '/agencies/btc/' && o.join(' ') === '@gov-vn/btc-cntt'));
    assert.ok(rs.some(([p, o]) => p === '/agencies/vpcp/' && o.join(' ') === '@gov-vn/platform-engineers'));
    assert.match(out, /# Văn phòng Chính phủ \(vpcp\)\n# names no admin group: its folder stays with the platform engineers\n/);
  } finally {
    r.dispose();
  }
});

test('bad input: a group without a handle, a bad map, a missing --platform, input outside the layout', async () => {
  const noOrg = await cli(['gitops', 'codeowners', '.', '--platform', '@gov-vn/platform'], { cwd: GITOPS });
  assert.is(noOrg.code, 1);
  assert.match(
    noOrg.err,
    /^govcloud gitops: agency bca: admin group "bca-c06-admins" has no handle: give --org ORG \(handle @ORG\/bca-c06-admins\) or map it in --map FILE\n$/,
  );
  const r = copy();
  try {
    writeFileSync(join(r.dir, 'owners.yaml'), 'bca-c06-admins: "not a handle"\n');
    const badMap = await cli([...ARGS, '--map', 'owners.yaml'], { cwd: r.dir });
    assert.is(badMap.code, 1);
    assert.match(badMap.err, /--map owners\.yaml: group "bca-c06-admins": "not a handle" is not a handle/);
    const agency = join(r.dir, 'agencies/bca/agency.yaml');
    writeFileSync(agency, readFileSync(agency, 'utf8').replace('admins: [bca-c06-admins]', 'admins: ["Quản trị C06"]'));
    const odd = await cli(ARGS, { cwd: r.dir });
    assert.is(odd.code, 1);
    assert.match(odd.err, /agency bca: admin group "Quản trị C06" does not make a handle \(@gov-vn\/Quản trị C06\): map it in --map FILE/);
  } finally {
    r.dispose();
  }
  const noPlatform = await cli(['gitops', 'codeowners', '.'], { cwd: GITOPS });
  assert.is(noPlatform.code, 2);
  assert.match(noPlatform.err, /--platform HANDLE: who owns platform\/ and the Agency objects/);
  const badPlatform = await cli(['gitops', 'codeowners', '.', '--platform', 'platform team'], { cwd: GITOPS });
  assert.is(badPlatform.code, 2);
  const unknown = await cli(['gitops', 'approve'], { cwd: GITOPS });
  assert.is(unknown.code, 2);
  assert.match(unknown.err, /no subcommand "approve" \(known: codeowners\)/);
  const outside = await cli(['gitops', 'codeowners', 'samples/', '--platform', '@p', '--org', 'o']);
  assert.is(outside.code, 1);
  assert.match(outside.out, /^samples\/agencies\/bca\.yaml:\d+: Agency\/bca: metadata\.name: outside the layout/m);
});

test.run();
