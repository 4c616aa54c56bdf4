import type { RecordValue } from '../../src/protocol/messages.js';
import type { Database } from '../db/database.js';
import type { ChangeBus } from '../notify/change-bus.js';
import { type StoredRecord } from '../sync/records.js';
import type { Runtime } from '../sync/runtime.js';
/**
 * Server-side operations for tests, the demo and operators: users and tokens, edits and deletes
 * made on the server (they reach clients through pull and pokes like any other change), and
 * tombstone compaction. Also exposed over HTTP under `/admin` when an admin token is configured.
 */
export interface AdminApi {
    /** Creates a user (idempotent on `userId`) and a token for it (`options.token`, else a random one). */
    createUser(userId: string, options?: {
        name?: string;
        token?: string;
    }): Promise<{
        userId: string;
        token: string;
    }>;
    /** Issues one more token for an existing user. */
    createToken(userId: string): Promise<string>;
    /** Revokes every token of the user. */
    revokeTokens(userId: string): Promise<void>;
    /**
     * Writes a record as the server (`owner`: the user id for user-scoped collections, omitted for
     * shared ones); returns its new rev.
     */
    putRecord(collection: string, id: string, value: RecordValue, owner?: string): Promise<string>;
    /** Deletes a record as the server, leaving a tombstone so clients delete it too; returns the tombstone's rev. */
    deleteRecord(collection: string, id: string, owner?: string): Promise<string>;
    /** Reads a record (alive or tombstone), or null. */
    getRecord(collection: string, id: string, owner?: string): Promise<StoredRecord | null>;
    /** Alive records of a collection and owner. */
    countRecords(collection: string, owner?: string): Promise<number>;
    /**
     * Removes tombstones older than `olderThanMs` (default: the configured retention) and moves each
     * affected collection's horizon up, so checkpoints from before it answer `RESET_REQUIRED`.
     * Returns how many tombstones were removed.
     */
    compactTombstones(options?: {
        olderThanMs?: number;
    }): Promise<number>;
}
export declare function createAdminApi(runtime: Runtime, db: Database, bus: ChangeBus): AdminApi;
