/** How the client currently hears about server changes; `offline` while paused (offline, hidden) or stopped. */
export type ConnectionKind = 'websocket' | 'sse' | 'polling' | 'offline';

/**
 * Why a listener says "pull now":
 * - `start`: the listener was subscribed (while online and visible);
 * - `online` / `visible`: the device came back online / the page became visible after a pause;
 * - `connected`: a change channel (re)connected or the listener switched channel: changes may have
 *   been missed while it was down;
 * - `poke`: the server said `collections` changed;
 * - `interval`: a polling tick;
 * - `retry`: the last pull failed and its backoff delay has passed.
 */
export type PullSignalReason = 'start' | 'online' | 'visible' | 'connected' | 'poke' | 'interval' | 'retry';

/** "Pull now", emitted by the listeners for the sync runner. */
export interface PullSignal {
  /** Why a pull is asked for: `start`, `online`, `visible`, `connected`, `poke`, `interval` or `retry`. */
  readonly reason: PullSignalReason;
  /** Collections to pull; absent means all. Pokes name one; merged signals name the union. */
  readonly collections?: readonly string[];
  /** The channel that produced the signal. */
  readonly transport: ConnectionKind;
}

/**
 * What became of a pull, reported back to a listener (its `pullOutcomes` option) so it can back off:
 * after a failure the next pull comes as a `retry` signal after a jittered, growing delay (at least
 * the error's `retryAfterMs`), and polling ticks pause until a pull succeeds again.
 */
export type PullOutcome = { readonly ok: true } | { readonly ok: false; readonly error: unknown };
