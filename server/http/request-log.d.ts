import type { RequestStats } from '../sync/stats.js';
/**
 * One log entry: `msg` is the formatted line, the other fields the same facts for machines.
 * Entries never carry tokens, passwords, query strings or record contents.
 */
export interface LogEntry {
    level: 'info' | 'warn' | 'error';
    msg: string;
    [field: string]: unknown;
}
/** The default logger: the line on stdout (info) or stderr (warn, error). */
export declare function consoleLogger(entry: LogEntry): void;
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
    stats: RequestStats;
    totalMs: number;
}
/**
 * The summary entry of one request:
 * `POST /v1/pull 200 user=alice collection=work_orders CHANGE=0 DELETE=2 FETCH=98 total=12.1ms db=9.0ms other=3.1ms`.
 * CHANGE counts records written by puts, DELETE deletes written (push) or sent (pull), FETCH
 * records sent (pull).
 */
export declare function summaryEntry(s: RequestSummary): LogEntry;
