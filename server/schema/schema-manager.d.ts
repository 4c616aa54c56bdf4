import type { Database } from '../db/database.js';
/**
 * State of the server's database schema:
 * - `none`: nothing installed (run `schema install`);
 * - `up-to-date`: every migration applied;
 * - `update-advised`: only optional migrations pending; sync is served;
 * - `update-required`: a required migration is pending; sync is refused with `SERVER_SCHEMA_OUTDATED`;
 * - `ahead`: the database is newer than this code (another instance already updated it); served,
 *   since migrations are additive.
 */
export type SchemaState = 'none' | 'up-to-date' | 'update-advised' | 'update-required' | 'ahead';
/** What `schema status` reports. */
export interface SchemaStatus {
    state: SchemaState;
    /** Installed version; `null` when nothing is installed. */
    installed: number | null;
    latest: number;
    minimum: number;
    pending: {
        version: number;
        description: string;
        required: boolean;
    }[];
}
/** One step of `schema install` / `schema update`. */
export interface MigrationProgress {
    step: number;
    of: number;
    version: number;
    description: string;
    ms: number;
}
/** True when a server on this schema state may serve sync requests. */
export declare function canServe(state: SchemaState): boolean;
/** Reads the installed version and says what is pending. */
export declare function schemaStatus(db: Database): Promise<SchemaStatus>;
/**
 * Installs the schema on an empty database (`schema install`). Throws when something is already
 * installed, so it can never clobber data. `upTo` stops at an older version (tests of upgrades).
 */
export declare function installSchema(db: Database, options?: {
    upTo?: number;
    onProgress?: (p: MigrationProgress) => void;
}): Promise<SchemaStatus>;
/** Applies the pending migrations in order, each in its own transaction (`schema update`). */
export declare function updateSchema(db: Database, options?: {
    upTo?: number;
    onProgress?: (p: MigrationProgress) => void;
}): Promise<SchemaStatus>;
