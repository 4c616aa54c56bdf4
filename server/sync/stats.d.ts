import type { Database } from '../db/database.js';
/** Counters and timings of one request, for its log line. */
export interface RequestStats {
    /** Records written by puts. */
    change: number;
    /** Deletes written (push) or sent (pull). */
    delete: number;
    /** Records sent (pull). */
    fetch: number;
    /** Mutations answered `conflict`. */
    conflict: number;
    /** Mutations answered `rejected`. */
    rejected: number;
    /** Time spent waiting on the database, in ms. */
    dbMs: number;
}
export declare function newStats(): RequestStats;
/** `db` with the time of every query and transaction added to `stats.dbMs`. */
export declare function timedDatabase(db: Database, stats: RequestStats): Database;
