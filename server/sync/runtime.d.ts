import type { CollectionConfig, ServerOptions } from '../config.js';
import type { Database } from '../db/database.js';
import type { LogEntry } from '../http/request-log.js';
import type { ChangeBus } from '../notify/change-bus.js';
/** Options with every default filled in. */
type OptionalKeys = 'database' | 'dataDir' | 'databaseUrl' | 'pgSchema' | 'adminToken' | 'authenticate' | 'canWrite';
export type ResolvedOptions = Required<Omit<ServerOptions, OptionalKeys>> & {
    [K in OptionalKeys]: ServerOptions[K] | undefined;
};
/** Secrets and identity of the database, read once from its `meta` table. */
export interface DatabaseMeta {
    epoch: string;
    checkpointSecret: string;
}
/** Everything request handlers share. */
export declare class Runtime {
    #private;
    readonly db: Database;
    readonly options: ResolvedOptions;
    readonly bus: ChangeBus;
    readonly log: (entry: LogEntry) => void;
    readonly collections: ReadonlyMap<string, CollectionConfig>;
    constructor(db: Database, options: ResolvedOptions, bus: ChangeBus, log: (entry: LogEntry) => void);
    /** The collection's config, or `UNKNOWN_COLLECTION`. */
    collection(name: string): CollectionConfig;
    /** The owner key of `user`'s records in `collection`: the user id, or '' for shared collections. */
    owner(collection: CollectionConfig, userId: string): string;
    /**
     * Refuses sync (`SERVER_SCHEMA_OUTDATED`) while the database schema cannot be served. A good
     * status is cached; a bad one is re-read at most once a second, so a `schema update` run from
     * another process is picked up without a restart.
     */
    requireServableSchema(): Promise<DatabaseMeta>;
    /** Forgets the cached schema status and meta (after install/update or in tests). */
    invalidateSchema(): void;
}
export {};
