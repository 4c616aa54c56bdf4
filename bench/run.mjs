#!/usr/bin/env node
// `npm run bench`: the benchmark in real browsers (Chromium through Playwright, WebKitGTK through
// WebDriver) against the reference server on 127.0.0.1. Writes bench/RESULTS.md and
// bench/results.json after a complete default run (bench/.out/ otherwise). `--smoke` is the quick
// CI run (small dataset, one run, fails if any workload fails). `--help` lists the options.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./runner/main.ts');
process.exitCode = await main(process.argv.slice(2));
