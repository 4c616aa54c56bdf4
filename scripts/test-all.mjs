#!/usr/bin/env node
// The one test command (`npm test`): lint, types, the package's size budgets, the client suite on
// two IndexedDB backends, the server suite on PGlite and on PostgreSQL, the browser suites
// (Chromium, WebKit) and a benchmark smoke run. Each stage reports its counts; the last line sums them.
//
//   SKIP_BROWSERS=1  skip the real-browser stages (they are then listed as skipped, loudly)
//   SKIP_POSTGRES=1  skip the PostgreSQL run of the server suite
//   ONLY=stage,...   run only the named stages
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const only = process.env.ONLY ? new Set(process.env.ONLY.split(',')) : null;
const strict = process.env.CI === 'true';
const outDir = mkdtempSync(join(tmpdir(), 'idb-sync-test-'));

/** @type {{ name: string, status: 'passed' | 'failed' | 'skipped', passed: number, failed: number, skipped: number, why?: string }[]} */
const results = [];

function run(name, cmd, args, { env = {}, counts = 'exit' } = {}) {
  if (only && !only.has(name)) return;
  console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
  const countsFile = join(outDir, `${name}.json`);
  const r = spawnSync(cmd, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env, IDB_SYNC_COUNTS: countsFile },
  });
  let passed = 0;
  let failed = 0;
  // Tests a stage skipped by design (a scenario an engine cannot run, a test for the other backend).
  let skipped = 0;
  if (counts === 'vitest' && existsSync(countsFile)) {
    const report = JSON.parse(readFileSync(countsFile, 'utf8'));
    passed = report.numPassedTests;
    failed = report.numFailedTests;
    skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  } else if (counts === 'file' && existsSync(countsFile)) {
    const report = JSON.parse(readFileSync(countsFile, 'utf8'));
    ({ passed, failed } = report);
    skipped = report.skipped ?? 0;
  } else {
    passed = r.status === 0 ? 1 : 0;
  }
  const ok = r.status === 0 && failed === 0;
  if (!ok && failed === 0) failed = 1;
  results.push({ name, status: ok ? 'passed' : 'failed', passed, failed, skipped });
}

function skip(name, why) {
  if (only && !only.has(name)) return;
  console.log(`\n=== ${name}: SKIPPED (${why})`);
  results.push({ name, status: 'skipped', passed: 0, failed: 0, skipped: 0, why });
}

const vitest = (name, args, env) =>
  run(
    name,
    'npx',
    [
      'vitest',
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${join(outDir, `${name}.json`)}`,
      ...args,
    ],
    { env, counts: 'vitest' },
  );

run('lint', 'npx', ['biome', 'check', '.']);
run('typecheck', 'npx', ['tsc', '-p', 'tsconfig.json']);
run('examples', 'node', ['scripts/check-examples.mjs']);
// The package: build, pack, bundle one-line entries, size budgets and side-effect checks (seconds).
run('size', 'node', ['scripts/size.mjs']);
// The API reference (TypeDoc: every public export documented, no warning) and the docs' links.
run('docs', 'npm', ['run', 'check:docs']);
vitest('unit', []);

if (process.env.SKIP_POSTGRES === '1') skip('server-postgres', 'SKIP_POSTGRES=1');
else
  run(
    'server-postgres',
    'node',
    [
      'scripts/with-postgres.mjs',
      'npx',
      'vitest',
      'run',
      '--project',
      'server',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${join(outDir, 'server-postgres.json')}`,
    ],
    { counts: 'vitest' },
  );

for (const [name, script] of [
  ['e2e-chromium', 'e2e/run-chromium.mjs'],
  ['e2e-webkit', 'e2e/run-webkit.mjs'],
]) {
  if (process.env.SKIP_BROWSERS === '1') skip(name, 'SKIP_BROWSERS=1: no real-browser test ran');
  else if (!existsSync(join(root, script))) skip(name, `${script} not present`);
  else run(name, 'node', [script], { counts: 'file' });
}

// The README's demo command, end to end: server, seed, page, first sync, offline edit, conflict, v2.
if (process.env.SKIP_BROWSERS === '1') skip('demo-smoke', 'SKIP_BROWSERS=1');
else run('demo-smoke', 'node', ['demo/demo-smoke.mjs', '--rows', '3000']);

if (existsSync(join(root, 'bench/run.mjs'))) {
  if (process.env.SKIP_BROWSERS === '1') skip('bench-smoke', 'SKIP_BROWSERS=1');
  else run('bench-smoke', 'node', ['bench/run.mjs', '--smoke']);
}

rmSync(outDir, { recursive: true, force: true });
console.log('\n=== summary');
for (const r of results) {
  console.log(
    `${r.status.toUpperCase().padEnd(8)} ${r.name}${r.status === 'skipped' ? ` (${r.why})` : ` (${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped)`}`,
  );
}
const skipped = results.filter((r) => r.status === 'skipped');
if (strict && skipped.length > 0) {
  console.log(`CI=true: ${skipped.length} stage(s) skipped, which CI does not allow.`);
}
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0) + (strict ? skipped.length : 0);
const skippedTests = results.reduce((n, r) => n + r.skipped, 0);
console.log(`${passed} passed, ${failed} failed, ${skipped.length + skippedTests} skipped`);
process.exit(failed > 0 ? 1 : 0);
