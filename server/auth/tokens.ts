import { createHash, randomBytes } from 'node:crypto';
import type { AuthUser } from '../config.js';
import type { Database } from '../db/database.js';

/** SHA-256 of a token, the only form in which tokens are stored. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A new random bearer token (256 bits, base64url). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The default authentication: looks the token's hash up in the `tokens` table. */
export function tableAuthenticator(db: Database): (token: string) => Promise<AuthUser | null> {
  return async (token) => {
    const { rows } = await db.query<{ user_id: string }>(`SELECT user_id FROM tokens WHERE token_hash = $1`, [
      hashToken(token),
    ]);
    return rows[0] === undefined ? null : { userId: rows[0].user_id };
  };
}

/** The bearer token of an `Authorization` header, or undefined. */
export function bearerToken(header: string | null | undefined): string | undefined {
  if (header == null) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
