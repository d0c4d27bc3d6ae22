/** govcloud validate --output github|sarif|junit: exact lines, escaping, the structure each CI system reads. */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { githubAnnotations, junitXml, ruleIdOf, xmlText } from '../../src/validate/formats.ts';
import { cli, SAMPLES } from '../validate/helpers.ts';

/**
 * Two files: one of two documents, the mistake nested in the second (an Agency's quota),
 * in a file whose name holds the characters annotations must escape; and one valid file.
 */
function fixture(): { dir: string; line: number; column: number; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'govcloud-formats-'));
  const agency = readFileSync(join(SAMPLES, 'agencies/bca.yaml'), 'utf8').replace('      cpu: 96\n', '      cpu: "lots"\n');
  const text = `${readFileSync(join(SAMPLES, 'platform/dc-hanoi.yaml'), 'utf8')}---\n${agency}`;
  writeFileSync(join(dir, 'a,b:c.yaml'), text);
  writeFileSync(join(dir, 'dc-hcm.yaml'), readFileSync(join(SAMPLES, 'platform/dc-hcm.yaml')));
  const line = text.split('\n').indexOf('      cpu: "lots"') + 1;
  return { dir, line, column: '      cpu: '.length + 1, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

const MESSAGE = 'Agency/bca: spec.quotas[0].cpu: must be a quantity like "4", "500m" or "64Gi"';

test('github: one ::error per problem at the exact line, file and title escaped; exit 1', async () => {
  const f = fixture();
  try {
    assert.ok(f.line > 40, 'the mistake is deep in the second document');
    const { code, out } = await cli(['validate', '--output', 'github', '.'], { cwd: f.dir });
    assert.is(code, 1);
    // The value `"lots"`, six characters: the end column is the one just after it.
    assert.is(
      out,
      `::error file=a%2Cb%3Ac.yaml,line=${f.line},endLine=${f.line},col=${f.column},endColumn=${f.column + 6},title=govcloud%3A Agency/bca::${MESSAGE}\n`,
    );
  } finally {
    f.dispose();
  }
});

/** The template's bca folder in a temporary repository, its agency.yaml rewritten by `edit`. */
function templateWith(edit: (agency: string) => string, extra: Record<string, string> = {}): { dir: string; agency: string; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'govcloud-columns-'));
  cpSync(join(SAMPLES, 'gitops/platform'), join(dir, 'platform'), { recursive: true });
  cpSync(join(SAMPLES, 'gitops/agencies/bca'), join(dir, 'agencies/bca'), { recursive: true });
  const agency = edit(readFileSync(join(dir, 'agencies/bca/agency.yaml'), 'utf8'));
  writeFileSync(join(dir, 'agencies/bca/agency.yaml'), agency);
  for (const [file, text] of Object.entries(extra)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return { dir, agency, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** 1-based line and column of the first occurrence of `needle` in `text`. */
function placeIn(text: string, needle: string): { line: number; column: number } {
  const before = text.slice(0, text.indexOf(needle));
  assert.ok(text.includes(needle), needle);
  return { line: before.split('\n').length, column: before.length - before.lastIndexOf('\n') };
}

test('github: a node over several lines is given by its start (GitHub refuses columns across lines); sarif gives its whole range', async () => {
  const extra = '    - dataCentre: dc-danang\n      cpu: 1\n      memory: 1Gi\n      storage: 1Gi\n';
  const t = templateWith((a) => a.replace('  quotas:\n', `  quotas:\n${extra}`));
  try {
    const start = placeIn(t.agency, '- dataCentre: dc-danang');
    const last = placeIn(t.agency, '      storage: 50Ti');
    const message = 'Agency/bca: spec.quotas: quotas must name each data centre in placement.dataCentres exactly, and no other';
    const github = await cli(['validate', '--owners', '-o', 'github', 'platform', 'agencies'], { cwd: t.dir });
    assert.is(github.code, 1);
    assert.is(github.out, `::error file=agencies/bca/agency.yaml,line=${start.line},col=${start.column},title=govcloud%3A Agency/bca::${message}\n`);
    const sarif = JSON.parse((await cli(['validate', '--owners', '-o', 'sarif', 'platform', 'agencies'], { cwd: t.dir })).out);
    assert.equal(sarif.runs[0].results[0].locations[0].physicalLocation.region, {
      startLine: start.line,
      startColumn: start.column,
      endLine: last.line,
      endColumn: last.column + '      storage: 50Ti'.length,
    });
  } finally {
    t.dispose();
  }
});

test('github: a missing field is placed at the start of the mapping it belongs in, without an end', async () => {
  const t = templateWith((a) => a.replace('  code: G04\n', ''));
  try {
    const spec = placeIn(t.agency, 'displayName: Bộ Công an');
    const { code, out } = await cli(['validate', '--owners', '-o', 'github', 'platform', 'agencies'], { cwd: t.dir });
    assert.is(code, 1);
    assert.is(
      out,
      `::error file=agencies/bca/agency.yaml,line=${spec.line},col=${spec.column},title=govcloud%3A Agency/bca::Agency/bca: spec.code: required field is missing\n`,
    );
  } finally {
    t.dispose();
  }
});

test("github: an owner's mistake at the field that says whose it is, value exactly; a YAML syntax error at its column", async () => {
  const request = readFileSync(join(SAMPLES, 'gitops/agencies/btc/requests.yaml'), 'utf8').split('---\n')[0]!;
  const broken = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: [a}\n';
  const t = templateWith((a) => a, { 'agencies/bca/requests.yaml': request, 'agencies/bca/broken.yaml': broken });
  try {
    const ns = placeIn(request, 'govcloud-btc');
    const { code, out } = await cli(['validate', '--owners', '-o', 'github', 'platform', 'agencies'], { cwd: t.dir });
    assert.is(code, 1);
    const lines = out.trimEnd().split('\n');
    const syntax = lines.find((l) => l.includes('broken.yaml'));
    // The parser stops at the `}` that closes a mapping while a `[` is still open.
    assert.match(
      syntax ?? '',
      new RegExp(`^::error file=agencies/bca/broken\\.yaml,line=3,col=${broken.split('\n')[2]!.indexOf('}') + 1},title=govcloud::YAML syntax: `),
    );
    const owner = lines.filter((l) => l.includes('requests.yaml'));
    // Two problems at the same value: the folder is not btc's, and without btc's folder there is no Agency btc.
    assert.is(owner.length, 2);
    assert.ok(owner[1]!.includes(`line=${ns.line},endLine=${ns.line},col=${ns.column},`) && owner[1]!.includes('belongs to no agency'), owner[1]);
    assert.ok(
      owner[0]!.startsWith(
        `::error file=agencies/bca/requests.yaml,line=${ns.line},endLine=${ns.line},col=${ns.column},endColumn=${ns.column + 'govcloud-btc'.length},title=govcloud%3A AccessRequest/business-registry-for-thue::AccessRequest/business-registry-for-thue: metadata.namespace: in agency bca's folder`,
      ),
      owner[0],
    );
  } finally {
    t.dispose();
  }
});

test('github: warnings as ::warning; a message is escaped as GitHub unescapes it; no line for a file-level problem', () => {
  const out = githubAnnotations({
    errors: [{ file: 'x.yaml', line: 0, object: '', message: '50% read\r\nthen stopped' }],
    warnings: [{ file: 'y.yaml', line: 7, object: 'NetworkLink/a', field: 'spec.peer', message: 'pending consent' }],
    files: [],
  });
  assert.is(
    out,
    '::error file=x.yaml,title=govcloud::50%25 read%0D%0Athen stopped\n::warning file=y.yaml,line=7,title=govcloud%3A NetworkLink/a::NetworkLink/a: spec.peer: pending consent\n',
  );
});

test('sarif: version 2.1.0, the tool and its rules, each result with ruleId, level, message and location', async () => {
  const f = fixture();
  try {
    const { code, out } = await cli(['validate', '-o', 'sarif', '.'], { cwd: f.dir });
    assert.is(code, 1);
    const log = JSON.parse(out);
    assert.is(log.version, '2.1.0');
    assert.is(log.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
    assert.is(log.runs.length, 1);
    const run = log.runs[0];
    assert.is(run.tool.driver.name, 'govcloud');
    assert.equal(
      run.tool.driver.rules.map((r: { id: string }) => r.id),
      ['govcloud/Agency/spec.quotas.cpu'],
    );
    assert.ok(run.tool.driver.rules.every((r: { shortDescription: { text: string } }) => r.shortDescription.text.length > 0));
    assert.equal(run.results, [
      {
        ruleId: 'govcloud/Agency/spec.quotas.cpu',
        ruleIndex: 0,
        level: 'error',
        message: { text: MESSAGE },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: 'a%2Cb%3Ac.yaml' },
              region: { startLine: f.line, startColumn: f.column, endLine: f.line, endColumn: f.column + 6 },
            },
          },
        ],
      },
    ]);
    const clean = JSON.parse((await cli(['validate', '-o', 'sarif', 'samples/'])).out);
    assert.equal(clean.runs[0].results, []);
    assert.equal(clean.runs[0].tool.driver.rules, []);
  } finally {
    f.dispose();
  }
});

test('sarif: rule ids group problems by kind and field, list indexes dropped; file problems apart; line 0 becomes 1', async () => {
  assert.is(ruleIdOf({ file: 'f', line: 3, object: 'AccessGrant/x', field: 'spec.workspaces[1]', message: 'm' }), 'govcloud/AccessGrant/spec.workspaces');
  assert.is(ruleIdOf({ file: 'f', line: 3, object: 'Agency/x', message: 'm' }), 'govcloud/Agency');
  assert.is(ruleIdOf({ file: 'f', line: 0, object: '', message: 'cannot read' }), 'govcloud/file');
  const { out } = await cli(['validate', '-o', 'sarif', 'no-such-folder']);
  const result = JSON.parse(out).runs[0].results[0];
  assert.equal(result.locations[0].physicalLocation, { artifactLocation: { uri: 'no-such-folder' }, region: { startLine: 1 } });
  assert.is(result.ruleId, 'govcloud/file');
});

test('junit: one test case per file, the failing one with its errors and exact line; XML escaped', async () => {
  const f = fixture();
  try {
    const { code, out } = await cli(['validate', '-o', 'junit', '.'], { cwd: f.dir });
    assert.is(code, 1);
    const lines = out.split('\n');
    assert.is(lines[0], '<?xml version="1.0" encoding="UTF-8"?>');
    assert.is(lines[1], '<testsuites name="govcloud validate" tests="2" failures="1" errors="0">');
    assert.is(lines[2], '  <testsuite name="govcloud validate" tests="2" failures="1" errors="0" skipped="0">');
    const escaped = `a,b:c.yaml:${f.line}: Agency/bca: spec.quotas[0].cpu: must be a quantity like &quot;4&quot;, &quot;500m&quot; or &quot;64Gi&quot;`;
    assert.equal(lines.slice(3), [
      '    <testcase classname="govcloud.validate" name="a,b:c.yaml" file="a,b:c.yaml">',
      `      <failure message="${escaped}" type="invalid">${escaped}</failure>`,
      '    </testcase>',
      '    <testcase classname="govcloud.validate" name="dc-hcm.yaml" file="dc-hcm.yaml"/>',
      '  </testsuite>',
      '</testsuites>',
      '',
    ]);
  } finally {
    f.dispose();
  }
});

test('junit: several errors in one file make one failure naming the count; warnings go to system-out', () => {
  const xml = junitXml({
    errors: [
      { file: 'x.yaml', line: 2, object: 'A/b', message: 'first <one>' },
      { file: 'x.yaml', line: 9, object: 'A/c', message: 'second & last' },
    ],
    warnings: [{ file: 'x.yaml', line: 4, object: 'L/d', message: "pending 'consent'" }],
    files: ['x.yaml'],
  });
  assert.ok(
    xml.includes(
      '<failure message="2 errors, the first: x.yaml:2: A/b: first &lt;one&gt;" type="invalid">x.yaml:2: A/b: first &lt;one&gt;\nx.yaml:9: A/c: second &amp; last</failure>',
    ),
  );
  assert.ok(xml.includes('<system-out>warning: x.yaml:4: L/d: pending &apos;consent&apos;</system-out>'));
  assert.is(xmlText('a\u0000b\u001bc\u{1F600}'), 'abc\u{1F600}', 'characters XML 1.0 forbids are dropped');
});

test('text and json are unchanged; an unknown format is a usage error', async () => {
  const bad = await cli(['validate', '-o', 'xml', 'samples/']);
  assert.is(bad.code, 2);
  assert.match(bad.err, /--output must be one of text, json, github, sarif, junit, not "xml"/);
});

test.run();
