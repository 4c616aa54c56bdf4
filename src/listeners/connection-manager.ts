import { isIdbSyncError } from '../errors/idb-sync-error.js';
import type { Capabilities, TransportKind } from '../protocol/messages.js';
import { Multicast } from '../rx/multicast.js';
import type { Observable, Subscribable } from '../rx/observable.js';
import { distinct, share } from '../rx/operators.js';
import type { ServerEventSource, SyncTransport } from '../transport/sync-transport.js';
import { type Channel, ChannelUnavailable, eventChannel, pollingChannel } from './channel.js';
import { pullScheduler } from './pull-scheduler.js';
import type { ConnectionKind, PullOutcome, PullSignal } from './pull-signal.js';
import { resolveScheduling, type SchedulingOptions } from './scheduling-options.js';

/** Options of {@link connectionManager}. */
export interface ConnectionManagerOptions extends SchedulingOptions {
  /**
   * The HTTP transport: its `capabilities()` says which channels the server offers, and (from
   * `createHttpTransport`) its `events()` is the SSE channel.
   */
  readonly transport: SyncTransport & Partial<ServerEventSource>;
  /** The SSE source. Default: `transport` when it has `events()`; `false` disables SSE. */
  readonly sse?: ServerEventSource | false | undefined;
  /** The WebSocket transport (from `createWebSocketTransport`). Default: none (no WebSocket channel). */
  readonly webSocket?: (SyncTransport & ServerEventSource) | undefined;
  /** Polling interval once fallen back to polling, in milliseconds. Default `30_000`. */
  readonly intervalMs?: number | undefined;
  /** Consecutive failed connects of a channel before falling back to the next. Default `3`. */
  readonly fallbackAfterFailures?: number | undefined;
  /** After a fallback, how often to try the better channels again, in milliseconds. Default `60_000`. */
  readonly upgradeAfterMs?: number | undefined;
}

/** What {@link connectionManager} returns. */
export interface ConnectionManager {
  /**
   * "Pull now" signals from whichever channel is current. Cold and shared: the first subscriber
   * starts it, the last unsubscribe stops everything (sockets, streams, timers, event listeners).
   */
  readonly signals$: Observable<PullSignal>;
  /**
   * {@link signals$} that also follows the runner's pull outcomes: after a failed pull it emits a
   * `retry` signal once the backoff delay (at least the error's `Retry-After`) has passed, and polling
   * ticks pause until a pull succeeds. Pass it (the function itself) as the sync client's `triggers`:
   * the client calls it with its own outcomes, so nothing circular is left to wire.
   */
  readonly triggers: (pullOutcomes: Subscribable<PullOutcome>) => Observable<PullSignal>;
  /** The current channel (`offline` while paused or not subscribed); emits the current value on subscribe. */
  readonly connection$: Observable<ConnectionKind>;
  /**
   * A transport for the sync runner: pulls and pushes go over the WebSocket while it is the current
   * channel (one connection for everything), over `transport` otherwise, and over `transport` again
   * when the WebSocket request fails with a `NetworkError`.
   */
  readonly syncTransport: SyncTransport;
}

/**
 * Picks the best way to hear about changes and keeps it working: WebSocket if configured and
 * offered by the server's capabilities, else SSE, else polling. A channel that fails
 * `fallbackAfterFailures` times in a row (or that the server does not offer) hands over to the
 * next; every `upgradeAfterMs` the better ones are tried again in the background and take over as
 * soon as one opens. Backoff, `Retry-After`, online/offline and visibility handling are those of
 * every listener (see {@link SchedulingOptions}).
 *
 * `createSyncClient({ database, url, getToken })` runs one for you; build your own only to
 * assemble transports by hand.
 *
 * @example
 * const http = createHttpTransport({ baseUrl, schemaVersion: appDb.version, getToken });
 * const ws = createWebSocketTransport({ baseUrl, schemaVersion: appDb.version, getToken });
 * const connection = connectionManager({ transport: http, webSocket: ws });
 * const client = createSyncClient({
 *   database: appDb,
 *   transport: connection.syncTransport,
 *   triggers: connection.triggers,
 * });
 * connection.connection$.subscribe((kind) => console.log('hearing changes over', kind));
 * await client.start();
 */
export function connectionManager(options: ConnectionManagerOptions): ConnectionManager {
  const scheduling = resolveScheduling(options);
  const { scheduler } = scheduling;
  const upgradeAfterMs = options.upgradeAfterMs ?? 60_000;
  const kind$ = new Multicast<ConnectionKind>('offline');

  let cached: { at: number; value: Promise<Capabilities> } | undefined;
  const capabilities = (): Promise<Capabilities> => {
    // One request serves every channel's check; refetched each upgrade round (the server may have
    // enabled a channel since), and at once after a failure.
    if (cached === undefined || scheduler.now() - cached.at >= upgradeAfterMs) {
      const value = options.transport.capabilities();
      const entry = { at: scheduler.now(), value };
      cached = entry;
      value.catch(() => {
        if (cached === entry) cached = undefined;
      });
    }
    return cached.value;
  };
  const offered = (kind: TransportKind) => async () => {
    const { transports } = await capabilities();
    if (!transports.includes(kind)) throw new ChannelUnavailable(`The server does not offer ${kind}`);
  };

  const channels: Channel[] = [];
  if (options.webSocket !== undefined) {
    channels.push(eventChannel('websocket', options.webSocket, scheduler, offered('websocket')));
  }
  const sse =
    options.sse ??
    (typeof options.transport.events === 'function' ? (options.transport as ServerEventSource) : false);
  if (sse !== false) channels.push(eventChannel('sse', sse, scheduler, offered('sse')));
  channels.push(pollingChannel(options.intervalMs ?? 30_000, scheduler));

  const policy = { fallbackAfterFailures: options.fallbackAfterFailures ?? 3, upgradeAfterMs };
  const schedule = (pullOutcomes: Subscribable<PullOutcome> | undefined) =>
    share(pullScheduler(channels, { ...scheduling, pullOutcomes }, policy, (kind) => kind$.next(kind)));
  const signals$ = schedule(scheduling.pullOutcomes);
  const triggers = (pullOutcomes: Subscribable<PullOutcome>) => schedule(pullOutcomes);

  const { transport, webSocket } = options;
  const route = async <T>(request: (via: SyncTransport) => Promise<T>): Promise<T> => {
    if (webSocket === undefined || kind$.value !== 'websocket') return request(transport);
    try {
      return await request(webSocket);
    } catch (error) {
      if (!isIdbSyncError(error, 'NETWORK_ERROR')) throw error;
      return request(transport);
    }
  };
  const syncTransport: SyncTransport = {
    capabilities: (signal) => transport.capabilities(signal),
    pull: (request, signal) => route((via) => via.pull(request, signal)),
    push: (request, signal) => route((via) => via.push(request, signal)),
  };

  return { signals$, triggers, connection$: distinct(kind$.asObservable()), syncTransport };
}
