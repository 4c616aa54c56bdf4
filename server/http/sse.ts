import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { SSE_EVENTS } from '../../src/protocol/messages.js';
import { PROTOCOL_VERSION } from '../../src/protocol/version.js';
import type { AuthUser } from '../config.js';
import type { ChangeEvent } from '../notify/change-bus.js';
import type { Runtime } from '../sync/runtime.js';
import { newStats } from '../sync/stats.js';
import { summaryEntry } from './request-log.js';

/** True when `user` can see the records of `event`. */
export function visibleTo(runtime: Runtime, user: AuthUser, event: ChangeEvent): boolean {
  const config = runtime.collections.get(event.collection);
  return config !== undefined && event.owner === runtime.owner(config, user.userId);
}

/**
 * The `GET /v1/events` streams: `hello`, then a `poke` for every change the user can see, and a
 * `heartbeat` every `heartbeatMs`. Streams end when the client goes away or the server closes.
 */
export class SseHub {
  readonly #open = new Set<() => void>();
  readonly #allEnded = new Set<() => void>();

  constructor(private readonly runtime: Runtime) {}

  /** Streams currently open. */
  get size(): number {
    return this.#open.size;
  }

  /** Opens a stream for `user` (throws `TOO_MANY_CONNECTIONS` before answering when the user has too many). */
  open(c: Context, user: AuthUser, token: string): Response {
    const runtime = this.runtime;
    const started = performance.now();
    const live = runtime.sessions.open(user, token);
    return streamSSE(c, async (stream) => {
      let pokes = 0;
      let end!: () => void;
      const ended = new Promise<void>((resolve) => {
        end = resolve;
      });
      this.#open.add(end);
      stream.onAbort(end);
      // A revoked token or the end of the session's lifetime ends the stream; the client
      // reconnects, and a revoked token then gets 401.
      live.onEnd(end);
      const send = (event: string, data: unknown) => {
        if (stream.aborted || stream.closed) return;
        stream.writeSSE({ event, data: JSON.stringify(data) }).catch(end);
      };
      const unsubscribe = runtime.bus.subscribe((event) => {
        if (!visibleTo(runtime, user, event)) return;
        pokes += 1;
        send(SSE_EVENTS.poke, { collection: event.collection, seq: event.seq });
      });
      const heartbeat = setInterval(
        () => send(SSE_EVENTS.heartbeat, { at: Date.now() }),
        runtime.options.heartbeatMs,
      );
      send(SSE_EVENTS.hello, { protocolVersion: PROTOCOL_VERSION, heartbeatMs: runtime.options.heartbeatMs });
      try {
        await ended;
      } finally {
        live.release();
        clearInterval(heartbeat);
        unsubscribe();
        this.#open.delete(end);
        if (this.#open.size === 0) for (const resolve of [...this.#allEnded]) resolve();
        const stats = newStats();
        const entry = summaryEntry({
          method: 'GET',
          path: c.req.path,
          status: 200,
          userId: user.userId,
          stats,
          totalMs: performance.now() - started,
        });
        runtime.log({ ...entry, msg: `${entry.msg} pokes=${pokes}`, pokes });
      }
    });
  }

  /**
   * Ends every open stream (server shutdown); resolves once they have ended (their last bytes
   * written), or after `waitMs`, so that cutting the connections next does not truncate them.
   */
  closeAll(waitMs = 1000): Promise<void> {
    for (const end of [...this.#open]) end();
    if (this.#open.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#allEnded.delete(done);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      this.#allEnded.add(done);
    });
  }
}
