import type { Database } from '../db/database.js';
/**
 * Creates a user (idempotent on `userId`) and a token for it: `options.token`, or a new random one.
 * Only the token's hash is stored.
 */
export declare function createUser(db: Database, userId: string, options?: {
    name?: string;
    token?: string;
}): Promise<{
    userId: string;
    token: string;
}>;
