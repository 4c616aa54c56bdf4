#!/usr/bin/env node
// Runs every e2e scenario in Debian's Chromium through Playwright. `--grep <regexp>` picks a subset;
// `IDB_SYNC_COUNTS=<file>` receives { passed, failed }; screenshots go to e2e/.out/chromium/.
import { register } from 'tsx/esm/api';

register();
const { runScenarios } = await import('./harness/run-scenarios.ts');
const { chromiumEngine } = await import('./harness/chromium-engine.ts');
process.exitCode = await runScenarios(chromiumEngine(), process.argv.slice(2));
