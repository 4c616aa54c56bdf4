#!/usr/bin/env node
// Runs every e2e scenario in WebKitGTK (MiniBrowser) through WebKitWebDriver under its own Xvfb.
// `--grep <regexp>` picks a subset; `IDB_SYNC_COUNTS=<file>` receives { passed, failed };
// screenshots go to e2e/.out/webkit/.
import { register } from 'tsx/esm/api';

register();
const { runScenarios } = await import('./harness/run-scenarios.ts');
const { webkitEngine } = await import('./harness/webkit-engine.ts');
process.exitCode = await runScenarios(webkitEngine(), process.argv.slice(2));
