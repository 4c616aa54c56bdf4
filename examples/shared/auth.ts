// The apps' own sign-in tokens: `<userId>.<expiry>.<HMAC-SHA256>` signed with APP_SECRET. A real app
// would use its identity provider's tokens (a JWT verified with `jose`, an opaque session id looked
// up in its session store); the sync server only needs `authenticate(token) → { userId } | null`.
import { createHmac, timingSafeEqual } from 'node:crypto';

function appSecret(): string {
  const value = process.env.APP_SECRET;
  if (value === undefined || value.length < 16) throw new Error('Set APP_SECRET (at least 16 characters)');
  return value;
}

const sign = (payload: string, secret = appSecret()) =>
  createHmac('sha256', secret).update(payload).digest('base64url');

/** A token for `userId`, valid for `ttlSeconds` (default one day). */
export function issueToken(userId: string, options: { secret?: string; ttlSeconds?: number } = {}): string {
  const payload = `${userId}.${Math.floor(Date.now() / 1000) + (options.ttlSeconds ?? 86_400)}`;
  return `${payload}.${sign(payload, options.secret)}`;
}

/** The user of a valid, unexpired token; `null` (→ 401) otherwise. */
export async function authenticate(token: string): Promise<{ userId: string } | null> {
  const cut = token.lastIndexOf('.');
  const payload = token.slice(0, cut);
  const [userId, expiry] = payload.split('.');
  const expected = Buffer.from(sign(payload));
  const given = Buffer.from(token.slice(cut + 1));
  if (cut < 0 || !userId || expected.length !== given.length || !timingSafeEqual(expected, given))
    return null;
  return Number(expiry) * 1000 > Date.now() ? { userId } : null;
}

// `node --import tsx examples/shared/auth.ts alice` prints a token for alice.
if (process.argv[1]?.endsWith('auth.ts') && process.argv[2]) console.log(issueToken(process.argv[2]));
