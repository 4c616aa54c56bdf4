// idb-sync/conformance: checks any server against docs/protocol.md over HTTP, SSE and WebSocket.
export type { Group, Need } from './check.js';
export type { ConformanceHooks, ConformanceOptions, ConformanceUser } from './options.js';
export type { CheckResult, ConformanceReport } from './report.js';
export { formatReport, formatResultLine } from './report.js';
export { listChecks, runConformance } from './run-conformance.js';
