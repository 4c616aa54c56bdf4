#!/usr/bin/env node
// `npm run fuzz -- --runs 100000 [--seed N] [--path P] [--backend fake-indexeddb|indexeddbshim]`:
// the fuzzed-convergence property with more sequences (nightly), or one failing seed replayed.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '100000' },
    seed: { type: 'string' },
    path: { type: 'string' },
    backend: { type: 'string', default: 'fake-indexeddb' },
  },
});
const env = { ...process.env, FUZZ_RUNS: values.runs };
if (values.seed !== undefined) env.FUZZ_SEED = values.seed;
if (values.path !== undefined) env.FUZZ_PATH = values.path;
const result = spawnSync(
  'npx',
  [
    'vitest',
    'run',
    '--project',
    values.backend,
    '--testTimeout',
    '0',
    'test/reliability/fuzzed-convergence.test.ts',
  ],
  { stdio: 'inherit', env },
);
process.exit(result.status ?? 1);
