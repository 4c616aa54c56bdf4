import pg from 'pg';
import type { Database, Queryable, QueryResult } from './database.js';
/**
 * Opens a `pg` pool on `connectionString`. With `schema`, every connection uses that PostgreSQL
 * schema (`search_path`), created if missing: tests run one schema per file in one cluster.
 */
export declare function openPostgresDatabase(options: {
    connectionString: string;
    schema?: string | undefined;
    /** Pool size; default 10. */
    maxConnections?: number | undefined;
}): Promise<PostgresDatabase>;
/** {@link Database} on a `pg` pool. */
export declare class PostgresDatabase implements Database {
    #private;
    readonly pool: pg.Pool;
    readonly kind: "postgres";
    constructor(pool: pg.Pool);
    query<Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
    transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
    exec(sql: string): Promise<void>;
    close(): Promise<void>;
}
