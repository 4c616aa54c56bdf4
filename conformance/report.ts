import type { Capabilities } from '../src/protocol/messages.js';
import type { Group } from './check.js';

/** The outcome of one check. */
export interface CheckResult {
  /** The check's id, e.g. `paging.snapshot-order`. */
  id: string;
  /** Its group. */
  group: Group;
  /** The promise it checks, in words. */
  title: string;
  /** Anchor in docs/protocol.md of the promise checked. */
  doc: string;
  /** The outcome. */
  status: 'pass' | 'fail' | 'skip';
  /** How long it ran. */
  durationMs: number;
  /** Skipped: why. */
  reason?: string;
  /** Failed: what was expected and seen, and the exchanges that show it (tokens redacted). */
  failure?: {
    message: string;
    what: string;
    expected: string;
    seen: string;
    exchanges: string[];
  };
  /** Remarks of a passed check (e.g. what a server chose where the protocol allows a choice). */
  notes?: string[];
}

/** What {@link runConformance} returns. */
export interface ConformanceReport {
  /** The server checked. */
  url: string;
  /** True when no check failed (skipped checks do not fail a run; they are listed). */
  ok: boolean;
  /** Checks passed. */
  passed: number;
  /** Checks failed. */
  failed: number;
  /** Checks skipped (an input they need was not given). */
  skipped: number;
  /** How long the run took. */
  durationMs: number;
  /** `429` answers the kit waited out (honouring `Retry-After`) and retried: a rate limit met on the way. */
  rateLimited: number;
  /** What the server announced, when it could be read. */
  capabilities?: Capabilities;
  /** How the run was set up: users, schema version, collections used, hooks present. */
  setup: {
    users: number;
    freshUsers: boolean;
    schemaVersion?: number;
    collection?: string;
    readOnlyCollection?: string;
    otherCollection?: string;
    hooks: string[];
    scale: number;
  };
  /** Every check, in report order. */
  checks: CheckResult[];
}

const MARK = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' } as const;

/** One line for a result, e.g. `PASS paging.snapshot-order (120 ms)`. */
export function formatResultLine(result: CheckResult): string {
  const tail = result.status === 'skip' ? ` — ${result.reason}` : ` (${Math.round(result.durationMs)} ms)`;
  return `${MARK[result.status]} ${result.id}${tail}`;
}

/** The report as text: one line per check, failures in full, then the totals. */
export function formatReport(report: ConformanceReport): string {
  const lines = [`idb-sync conformance: ${report.url}`];
  const s = report.setup;
  lines.push(
    `  users: ${s.users}${s.freshUsers ? ' (created for this run)' : ''}, schema version ${s.schemaVersion ?? '?'}, ` +
      `collection ${s.collection ?? '(none writable)'}, read-only ${s.readOnlyCollection ?? '(none)'}, ` +
      `hooks: ${s.hooks.length > 0 ? s.hooks.join(', ') : 'none'}, scale ${s.scale}`,
  );
  for (const result of report.checks) {
    lines.push(formatResultLine(result));
    if (result.status !== 'fail') continue;
    const f = result.failure!;
    lines.push(`     ${result.title} (docs/protocol.md${result.doc})`);
    lines.push(`     while ${f.what}`);
    lines.push(`     expected: ${f.expected}`);
    lines.push(`     seen:     ${f.seen}`);
    for (const exchange of f.exchanges) lines.push(indent(exchange, '       '));
  }
  if (report.rateLimited > 0)
    lines.push(`(${report.rateLimited} answers were 429 Too Many Requests; waited out and retried)`);
  lines.push(
    `${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped in ${(report.durationMs / 1000).toFixed(1)} s`,
  );
  return lines.join('\n');
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');
}
