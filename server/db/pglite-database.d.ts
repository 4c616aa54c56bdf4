import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable, QueryResult } from './database.js';
/**
 * Opens an embedded PGlite database: in memory when `dataDir` is undefined, else persisted in that
 * directory (created if missing). `loadDataDir` starts from a dump instead of running initdb,
 * which is several times faster (tests clone a template this way).
 */
export declare function openPgliteDatabase(options: {
    dataDir?: string | undefined;
    loadDataDir?: Blob | File | undefined;
}): Promise<PgliteDatabase>;
/** {@link Database} on PGlite. PGlite runs one statement at a time; its transactions are exclusive. */
export declare class PgliteDatabase implements Database {
    #private;
    readonly pg: PGlite;
    private readonly unlock;
    readonly kind: "pglite";
    constructor(pg: PGlite, unlock?: () => void);
    query<Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
    transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
    exec(sql: string): Promise<void>;
    /** A dump of the whole data directory, to clone this database with `loadDataDir`. */
    dump(): Promise<Blob | File>;
    close(): Promise<void>;
}
