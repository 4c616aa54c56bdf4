import type { AuthUser } from '../config.js';
import { ProtocolError } from '../sync/protocol-error.js';
import type { Runtime } from '../sync/runtime.js';

/** Why the server ends a live session (SSE stream or WebSocket) on its own. */
export type SessionEnd = 'revoked' | 'expired';

/** One open SSE stream or WebSocket session, as {@link Sessions} tracks it. */
export interface SessionHandle {
  /** What to do when the server ends the session (close the stream or socket). */
  onEnd(close: (why: SessionEnd) => void): void;
  /** The session ended (client gone, server closing): stop its timers, free its slot. */
  release(): void;
}

/**
 * Live sessions per user, so that authentication ends: each session re-checks its token every
 * `authRecheckMs` and at once when the user's tokens are revoked (on any instance: the revocation
 * travels on the change bus), and ends after `maxSessionMs` whatever happens; a user may hold at
 * most `maxConnectionsPerUser` of them on this instance.
 */
export class Sessions {
  readonly #byUser = new Map<string, Set<{ recheck(): void }>>();

  constructor(private readonly runtime: Runtime) {
    runtime.bus.subscribeRevocations((userId) => {
      for (const session of this.#byUser.get(userId) ?? []) session.recheck();
    });
  }

  /** Users with a live session on this instance. */
  users(): string[] {
    return [...this.#byUser.keys()];
  }

  /** Open sessions of `userId` on this instance. */
  count(userId: string): number {
    return this.#byUser.get(userId)?.size ?? 0;
  }

  /** Registers a session, or throws `429 TOO_MANY_CONNECTIONS` when the user has too many. */
  open(user: AuthUser, token: string): SessionHandle {
    const o = this.runtime.options;
    const mine = this.#byUser.get(user.userId) ?? new Set();
    if (mine.size >= o.maxConnectionsPerUser) {
      throw new ProtocolError(
        'TOO_MANY_CONNECTIONS',
        `At most ${o.maxConnectionsPerUser} live connections per user`,
        { maxConnectionsPerUser: o.maxConnectionsPerUser, retryAfterMs: 5000 },
      );
    }
    this.#byUser.set(user.userId, mine);
    let close: ((why: SessionEnd) => void) | undefined;
    let ended = false;
    const end = (why: SessionEnd) => {
      if (ended) return;
      release();
      this.runtime.log({
        level: 'info',
        msg: `session of user ${user.userId} ended: ${why === 'revoked' ? 'token no longer valid' : 'maximum session lifetime reached'}`,
        event: 'session-end',
        userId: user.userId,
        reason: why,
      });
      close?.(why);
    };
    let checking = false;
    const entry = {
      recheck: () => {
        if (checking || ended) return;
        checking = true;
        this.runtime.options.authenticate!(token).then(
          (again) => {
            checking = false;
            if (again === null || again.userId !== user.userId) end('revoked');
          },
          (error: Error) => {
            checking = false;
            // An identity provider outage is not a logout: keep the session, try again later.
            this.runtime.log({
              level: 'warn',
              msg: `session re-check of user ${user.userId} failed: ${error.message}`,
              event: 'session-recheck',
              userId: user.userId,
            });
          },
        );
      },
    };
    mine.add(entry);
    const recheck = setInterval(entry.recheck, o.authRecheckMs);
    recheck.unref();
    const lifetime = setTimeout(() => end('expired'), o.maxSessionMs);
    lifetime.unref();
    const release = () => {
      if (ended) return;
      ended = true;
      clearInterval(recheck);
      clearTimeout(lifetime);
      mine.delete(entry);
      if (mine.size === 0) this.#byUser.delete(user.userId);
    };
    return {
      onEnd(fn) {
        close = fn;
      },
      release,
    };
  }
}
