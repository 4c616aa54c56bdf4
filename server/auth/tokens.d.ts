import type { AuthUser } from '../config.js';
import type { Database } from '../db/database.js';
/** SHA-256 of a token, the only form in which tokens are stored. */
export declare function hashToken(token: string): string;
/** A new random bearer token (256 bits, base64url). */
export declare function newToken(): string;
/** The default authentication: looks the token's hash up in the `tokens` table. */
export declare function tableAuthenticator(db: Database): (token: string) => Promise<AuthUser | null>;
/** The bearer token of an `Authorization` header, or undefined. */
export declare function bearerToken(header: string | null | undefined): string | undefined;
