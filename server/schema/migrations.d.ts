/**
 * The server's own database schema, as numbered migrations. Each runs in one transaction together
 * with the update of `meta.schema_version`. `required` says whether code of this version can run
 * without it: a database missing a required migration is refused for sync (`update-required`), one
 * missing only optional ones (indexes, say) still serves (`update-advised`).
 *
 * Migrations are additive (expand/contract): an older server keeps working on a newer database,
 * which is what lets old and new server instances run side by side during a rollout.
 */
export interface Migration {
    version: number;
    description: string;
    required: boolean;
    sql: string;
}
export declare const migrations: readonly Migration[];
/** Newest schema version this code knows. */
export declare const LATEST_SCHEMA_VERSION: number;
/** Oldest schema version this code can serve sync from: the last required migration. */
export declare const MINIMUM_SCHEMA_VERSION: number;
