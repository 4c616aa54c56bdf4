import { hashToken, newToken } from '../auth/tokens.js';
import type { Database } from '../db/database.js';

/**
 * Creates a user (idempotent on `userId`) and a token for it: `options.token`, or a new random one.
 * Only the token's hash is stored.
 */
export async function createUser(
  db: Database,
  userId: string,
  options: { name?: string; token?: string } = {},
): Promise<{ userId: string; token: string }> {
  if (options.token !== undefined && options.token.length < 16)
    throw new Error('A token needs at least 16 characters');
  const token = options.token ?? newToken();
  await db.transaction(async (tx) => {
    await tx.query(`INSERT INTO users (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`, [
      userId,
      options.name ?? userId,
    ]);
    await tx.query(
      `INSERT INTO tokens (token_hash, user_id) VALUES ($1, $2) ON CONFLICT (token_hash) DO NOTHING`,
      [hashToken(token), userId],
    );
  });
  return { userId, token };
}
