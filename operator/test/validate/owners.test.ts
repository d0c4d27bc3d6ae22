/** validate --owners: every object in its owner's folder; grants only for the folder's own services. */
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { folderOf, layoutPath } from '../../src/validate/owners.ts';
import { cli, SAMPLES } from './helpers.ts';

const GITOPS = join(SAMPLES, 'gitops');

/** A copy of samples/gitops to break. */
function copy(): { dir: string; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'govcloud-owners-'));
  cpSync(GITOPS, dir, { recursive: true });
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

function lineOf(file: string, text: string): number {
  return (
    readFileSync(file, 'utf8')
      .split('\n')
      .findIndex((l) => l.includes(text)) + 1
  );
}

test('folderOf and layoutPath: the first platform or agencies/<name> segment', () => {
  assert.equal(folderOf('platform/dc-hanoi.yaml'), { sort: 'platform', path: 'platform/' });
  assert.equal(folderOf('samples/gitops/agencies/bca/grants.yaml'), { sort: 'agency', agency: 'bca', path: 'agencies/bca/' });
  assert.equal(folderOf('agencies/bca.yaml'), { sort: 'outside' }, 'a file directly in agencies/ is in no agency folder');
  assert.equal(folderOf('tenants/bca/grants.yaml'), { sort: 'outside' });
  assert.is(layoutPath('samples/gitops/agencies/bca/agency.yaml'), 'agencies/bca/agency.yaml');
  assert.is(layoutPath('elsewhere/x.yaml'), undefined);
});

test('the template in samples/gitops is in the layout and valid', async () => {
  const { code, out } = await cli(['validate', '--owners', '.'], { cwd: GITOPS });
  assert.is(code, 0, out);
  assert.match(out, /^\.: 38 objects in 32 files: .*: valid\n$/);
});

test('the template holds exactly the objects of samples/', async () => {
  const a = JSON.parse((await cli(['validate', '-o', 'json', 'samples/'])).out);
  const b = JSON.parse((await cli(['validate', '-o', 'json', 'samples/gitops'])).out);
  assert.equal(b.kinds, a.kinds);
  const plan = await cli(['plan', '--base', SAMPLES, '.', '--now', '2026-06-01T00:00:00Z'], { cwd: GITOPS });
  assert.is(plan.out.split('\n')[1], `No change against ${SAMPLES}`, 'samples/gitops renders the same platform as samples/');
});

test('samples/ is not in the layout: each object refused at the field naming its owner', async () => {
  const { code, out } = await cli(['validate', '--owners', 'samples/']);
  assert.is(code, 1);
  assert.match(
    out,
    new RegExp(
      `^samples/agencies/bca\\.yaml:${lineOf(join(SAMPLES, 'agencies/bca.yaml'), 'name: bca')}: Agency/bca: metadata\\.name: outside the layout: it belongs to agency bca, in agencies/bca/$`,
      'm',
    ),
  );
  assert.match(
    out,
    /^samples\/tenants\/bca\/grants\.yaml:\d+: AccessGrant\/hanoi-dvc: metadata\.namespace: outside the layout: it belongs to agency bca, in agencies\/bca\/$/m,
  );
  assert.not.match(out, /^samples\/platform\//m, 'the DataCentres are in a platform folder');
});

test("an object in another agency's folder is refused, naming file, line, object and field", async () => {
  const r = copy();
  try {
    // Hà Nội's request moved into Bộ Công an's folder: bca's admins would approve hanoi's request.
    renameSync(join(r.dir, 'agencies/hanoi/requests.yaml'), join(r.dir, 'agencies/bca/requests.yaml'));
    const line = lineOf(join(r.dir, 'agencies/bca/requests.yaml'), 'namespace: govcloud-hanoi');
    const { code, out } = await cli(['validate', '--owners', '.'], { cwd: r.dir });
    assert.is(code, 1);
    assert.match(
      out,
      new RegExp(
        `^agencies/bca/requests\\.yaml:${line}: AccessRequest/population-for-dvc: metadata\\.namespace: in agency bca's folder \\(agencies/bca/\\), but it belongs to agency hanoi: move it to agencies/hanoi/, where its owner reviews it$`,
        'm',
      ),
    );
    assert.match(out, /invalid: 2 errors\n$/, 'both requests of the file');
  } finally {
    r.dispose();
  }
});

test('a DataCentre in an agency folder, and an Agency in the platform folder, are refused', async () => {
  const r = copy();
  try {
    renameSync(join(r.dir, 'platform/dc-hcm.yaml'), join(r.dir, 'agencies/btc/dc-hcm.yaml'));
    renameSync(join(r.dir, 'agencies/vpcp/agency.yaml'), join(r.dir, 'platform/vpcp.yaml'));
    const { code, out } = await cli(['validate', '--owners', '.'], { cwd: r.dir });
    assert.is(code, 1);
    assert.match(
      out,
      new RegExp(
        `^agencies/btc/dc-hcm\\.yaml:${lineOf(join(r.dir, 'agencies/btc/dc-hcm.yaml'), 'kind: DataCentre')}: DataCentre/dc-hcm: kind: in agency btc's folder \\(agencies/btc/\\), but it belongs to the platform engineers: move it to platform/`,
        'm',
      ),
    );
    assert.match(
      out,
      /^platform\/vpcp\.yaml:\d+: Agency\/vpcp: metadata\.name: in the platform folder \(platform\/\), but it belongs to agency vpcp: move it to agencies\/vpcp\//m,
    );
  } finally {
    r.dispose();
  }
});

test("an AccessGrant for a service the folder's agency does not own is refused at spec.service, once", async () => {
  const r = copy();
  try {
    // Bộ Công an "grants" Bộ Kế hoạch và Đầu tư's business registry: only its owner may.
    const grant = readFileSync(join(r.dir, 'agencies/bca/grants.yaml'), 'utf8').replace('service: population', 'service: business-registry');
    writeFileSync(join(r.dir, 'agencies/bca/grants.yaml'), grant);
    const line = lineOf(join(r.dir, 'agencies/bca/grants.yaml'), 'service: business-registry');
    const { code, out } = await cli(['validate', '--owners', '.'], { cwd: r.dir });
    assert.is(code, 1);
    assert.match(
      out,
      new RegExp(
        `^agencies/bca/grants\\.yaml:${line}: AccessGrant/hanoi-dvc: spec\\.service: no SharedDataService named "business-registry" in govcloud-bca: an agency grants access only to its own services$`,
        'm',
      ),
    );
    assert.match(out, /invalid: 1 error\n$/);
  } finally {
    r.dispose();
  }
});

test('an Agency shares its file with nothing; without --owners none of this is checked', async () => {
  const r = copy();
  try {
    const file = join(r.dir, 'agencies/btc/agency.yaml');
    writeFileSync(file, readFileSync(file, 'utf8') + '---\n' + readFileSync(join(r.dir, 'agencies/btc/requests.yaml'), 'utf8'));
    rmSync(join(r.dir, 'agencies/btc/requests.yaml'));
    const { code, out } = await cli(['validate', '--owners', '.'], { cwd: r.dir });
    assert.is(code, 1);
    assert.match(out, new RegExp(`^agencies/btc/agency\\.yaml:${lineOf(file, 'kind: Agency')}: Agency/btc: an Agency object sits in a file of its own`, 'm'));
    assert.is((await cli(['validate', '.'], { cwd: r.dir })).code, 0);
  } finally {
    r.dispose();
  }
});

test('a workspace Secret belongs to its agency; a Secret in the wrong agency folder is refused', async () => {
  const r = copy();
  try {
    const secret = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: tls\n  namespace: bca-dancu\ntype: kubernetes.io/tls\ndata: {}\n';
    writeFileSync(join(r.dir, 'agencies/bca/secret.yaml'), secret);
    assert.is((await cli(['validate', '--owners', '.'], { cwd: r.dir })).code, 0);
    renameSync(join(r.dir, 'agencies/bca/secret.yaml'), join(r.dir, 'agencies/btc/secret.yaml'));
    const { code, out } = await cli(['validate', '--owners', '.'], { cwd: r.dir });
    assert.is(code, 1);
    assert.match(
      out,
      /^agencies\/btc\/secret\.yaml:5: Secret\/tls: metadata\.namespace: in agency btc's folder \(agencies\/btc\/\), but it belongs to agency bca: move it to agencies\/bca\//m,
    );
  } finally {
    r.dispose();
  }
});

test.run();
