/**
 * The conformance kit: {@link runConformance} checks any server against protocol v1
 * (docs/protocol.md) over HTTP, Server-Sent Events and WebSocket, as clients talk to it, and reports
 * each check as pass, fail or skip. The command `idb-sync-conformance` runs it from a shell.
 *
 * @module idb-sync/conformance
 */

// idb-sync/conformance: checks any server against docs/protocol.md over HTTP, SSE and WebSocket.
export type { Group, Need } from './check.js';
export type { ConformanceHooks, ConformanceOptions, ConformanceUser } from './options.js';
export type { CheckResult, ConformanceReport } from './report.js';
export { formatReport, formatResultLine } from './report.js';
export { listChecks, runConformance } from './run-conformance.js';
