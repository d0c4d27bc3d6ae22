// uvu's `test.run()` queues the tests declared so far and starts a fresh list: a test declared
// after it is never run, and never fails. Three files had one; this keeps it from coming back.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : testFiles(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

/** Names of the suites (`test`, or a `suite(...)` constant) declared after that suite's own `.run()`. */
export function declaredAfterRun(source: string): string[] {
  const late: string[] = [];
  const ran = new Set<string>();
  for (const line of source.split('\n')) {
    const run = /^(\w+)\.run\(\);/.exec(line);
    if (run) ran.add(run[1]!);
    const declared = /^(\w+)(?:\.(?:only|skip))?\(['"`]/.exec(line);
    if (declared && ran.has(declared[1]!)) late.push(`${declared[1]}: ${line.slice(0, 80)}`);
  }
  return late;
}

test('the check finds a test declared after run()', () => {
  assert.equal(declaredAfterRun("test('a', () => {});\ntest.run();\ntest('b', () => {});\n"), ["test: test('b', () => {});"]);
  assert.equal(declaredAfterRun("test('a', () => {});\ntest('b', () => {});\ntest.run();\n"), []);
});

test('no test file declares a test after its run()', () => {
  const files = [...testFiles(path.join(ROOT, 'operator', 'test')), ...testFiles(path.join(ROOT, 'e2e'))];
  assert.ok(files.length > 100, `${files.length} test files found`);
  const late = files.flatMap((f) => declaredAfterRun(readFileSync(f, 'utf8')).map((l) => `${path.relative(ROOT, f)}: ${l}`));
  assert.equal(late, []);
});

test.run();
