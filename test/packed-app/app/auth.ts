// The app's sign-in tokens: `<userId>.<HMAC>` signed with APP_SECRET. A real app verifies its identity
// provider's tokens; the sync server only needs `authenticate(token) → { userId } | null`.
import { createHmac, timingSafeEqual } from 'node:crypto';

function secret(): string {
  const value = process.env.APP_SECRET;
  if (value === undefined || value === '') throw new Error('Set APP_SECRET');
  return value;
}

const sign = (userId: string) => createHmac('sha256', secret()).update(userId).digest('base64url');

/** A token for `userId`. */
export const issueToken = (userId: string) => `${userId}.${sign(userId)}`;

/** The user of a valid token, else `null` (→ 401). */
export async function authenticate(token: string): Promise<{ userId: string } | null> {
  const cut = token.lastIndexOf('.');
  const userId = token.slice(0, cut);
  const given = Buffer.from(token.slice(cut + 1));
  const expected = Buffer.from(sign(userId));
  return cut > 0 && given.length === expected.length && timingSafeEqual(given, expected) ? { userId } : null;
}
