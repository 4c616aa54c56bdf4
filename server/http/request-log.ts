import type { RequestStats } from '../sync/stats.js';

/**
 * One log entry: `msg` is the formatted line, the other fields the same facts for machines.
 * Entries never carry tokens, passwords, query strings or record contents.
 */
export interface LogEntry {
  /** `info` for requests, `warn` for refusals, `error` for failures. */
  level: 'info' | 'warn' | 'error';
  /** The line a person reads; the other fields carry the same facts for machines. */
  msg: string;
  [field: string]: unknown;
}

/** The default logger: the line on stdout (info) or stderr (warn, error). */
export function consoleLogger(entry: LogEntry): void {
  if (entry.level === 'info') process.stdout.write(`${entry.msg}\n`);
  else process.stderr.write(`${entry.msg}\n`);
}

/** Facts of one finished request. */
export interface RequestSummary {
  method: string;
  /** Path only: the query string may hold a token and is never logged. */
  path: string;
  status: number;
  code?: string | undefined;
  userId?: string | undefined;
  collection?: string | undefined;
  requestId?: string | undefined;
  /** Whether the line shows `req=` (default true); the entry's `requestId` field is always set. */
  lineShowsRequestId?: boolean;
  stats: RequestStats;
  totalMs: number;
}

/**
 * The summary entry of one request:
 * `POST /v1/pull 200 user=alice collection=work_orders CHANGE=0 DELETE=2 FETCH=98 total=12.1ms db=9.0ms other=3.1ms`.
 * CHANGE counts records written by puts, DELETE deletes written (push) or sent (pull), FETCH
 * records sent (pull).
 */
export function summaryEntry(s: RequestSummary): LogEntry {
  const dbMs = Math.min(s.stats.dbMs, s.totalMs);
  const parts = [s.method, s.path, String(s.status)];
  if (s.code !== undefined) parts.push(s.code);
  if (s.userId !== undefined) parts.push(`user=${s.userId}`);
  if (s.collection !== undefined) parts.push(`collection=${s.collection}`);
  if (s.requestId !== undefined && s.lineShowsRequestId !== false) parts.push(`req=${s.requestId}`);
  parts.push(`CHANGE=${s.stats.change}`, `DELETE=${s.stats.delete}`, `FETCH=${s.stats.fetch}`);
  if (s.stats.conflict > 0) parts.push(`conflicts=${s.stats.conflict}`);
  if (s.stats.rejected > 0) parts.push(`rejected=${s.stats.rejected}`);
  parts.push(
    `total=${s.totalMs.toFixed(1)}ms`,
    `db=${dbMs.toFixed(1)}ms`,
    `other=${(s.totalMs - dbMs).toFixed(1)}ms`,
  );
  return {
    level: s.status >= 500 ? 'error' : 'info',
    msg: parts.join(' '),
    event: 'request',
    method: s.method,
    path: s.path,
    status: s.status,
    code: s.code,
    userId: s.userId,
    collection: s.collection,
    requestId: s.requestId,
    counts: {
      change: s.stats.change,
      delete: s.stats.delete,
      fetch: s.stats.fetch,
      conflict: s.stats.conflict,
      rejected: s.stats.rejected,
    },
    ms: { total: s.totalMs, db: dbMs, other: s.totalMs - dbMs },
  };
}

/**
 * A logger writing one JSON object per line (`time`, `level`, `msg` and every field of the entry):
 * for log shippers. Info on stdout, warnings and errors on stderr, as {@link consoleLogger}.
 */
export function jsonLogger(entry: LogEntry): void {
  const line = `${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`;
  if (entry.level === 'info') process.stdout.write(line);
  else process.stderr.write(line);
}
