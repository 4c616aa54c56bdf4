import type { Observable } from '../rx/observable.js';
import { createHttpTransport } from '../transport/http-transport.js';
import type { RetryOptions } from '../transport/retry-policy.js';
import type { GetToken, SyncTransport, TransportLogger } from '../transport/sync-transport.js';
import {
  createWebSocketTransport,
  type WebSocketConstructor,
  type WebSocketSyncTransport,
} from '../transport/web-socket-transport.js';
import { connectionManager } from './connection-manager.js';
import type { SyncEnvironment } from './environment.js';
import type { ConnectionKind, PullOutcome, PullSignal } from './pull-signal.js';

/**
 * How the one-call sync client reaches the server (`createSyncClient({ ..., transports })`). Every
 * field is optional: by default it hears changes over a WebSocket when the server offers one and a
 * `WebSocket` class exists, else Server-Sent Events, else polling, falling back when a channel
 * keeps failing and trying the better ones again later.
 */
export interface TransportsOptions {
  /** Use a WebSocket (`/v1/ws`) for pokes, pulls and pushes when the server offers it. Default `true`. */
  readonly websocket?: boolean;
  /**
   * The WebSocket class. Default `globalThis.WebSocket` (browsers, Node 22+); without one, the
   * WebSocket is skipped. On Node 20 pass the `ws` package's `WebSocket`.
   */
  readonly WebSocket?: WebSocketConstructor;
  /** Hear changes over Server-Sent Events (`GET /v1/events`) when the server offers them. Default `true`. */
  readonly sse?: boolean;
  /** Polling interval once fallen back to polling, in milliseconds. Default `30_000`. */
  readonly pollIntervalMs?: number;
  /** Consecutive failed connects of a channel before falling back to the next one. Default `3`. */
  readonly fallbackAfterFailures?: number;
  /** After a fallback, how often the better channels are tried again, in milliseconds. Default `60_000`. */
  readonly upgradeAfterMs?: number;
  /** While the page is hidden: `pause` closes the channel (and pulls at once when visible again), or `continue`. Default `pause`. */
  readonly whenHidden?: 'pause' | 'continue';
  /** While offline: `pause` closes the channel (and pulls at once when back online), or `continue`. Default `pause`. */
  readonly whenOffline?: 'pause' | 'continue';
  /** Time limit of each request attempt, in milliseconds. Default `30_000`. */
  readonly timeoutMs?: number;
  /** Extra headers sent with every HTTP request (never logged). Default: none. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The fetch implementation. Default `globalThis.fetch`. */
  readonly fetch?: typeof globalThis.fetch;
  /** Receives one entry per response, retry, auth refresh and failure (never tokens or bodies). Default: none. */
  readonly logger?: TransportLogger;
}

/** What {@link liveConnection} needs. */
export interface LiveConnectionOptions {
  readonly url: string | URL;
  readonly schemaVersion: number;
  readonly getToken?: GetToken | undefined;
  readonly retry?: RetryOptions | undefined;
  readonly environment?: SyncEnvironment | undefined;
  readonly transports?: TransportsOptions | undefined;
}

/** The transports and listeners of a one-call client, wired. */
export interface LiveConnection {
  /** Pulls and pushes: over the WebSocket while it is the current channel, over HTTP otherwise. */
  readonly syncTransport: SyncTransport;
  /** The "sync now" signals, following the runner's pull outcomes (see `ConnectionManager.triggers`). */
  readonly triggers: (pullOutcomes: Observable<PullOutcome>) => Observable<PullSignal>;
  /** The current channel. */
  readonly connection$: Observable<ConnectionKind>;
  /** Closes the WebSocket kept open for the next request (the channels close with their subscription). */
  close(): void;
}

/** Builds the HTTP and WebSocket transports and the connection manager of a one-call client. */
export function liveConnection(options: LiveConnectionOptions): LiveConnection {
  const transports = options.transports ?? {};
  const common = {
    baseUrl: options.url,
    schemaVersion: options.schemaVersion,
    getToken: options.getToken,
    retry: options.retry,
    timeoutMs: transports.timeoutMs,
    headers: transports.headers,
    fetch: transports.fetch,
    logger: transports.logger,
  };
  const http = createHttpTransport(common);
  const WebSocketClass =
    transports.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  const webSocket: WebSocketSyncTransport | undefined =
    transports.websocket === false || WebSocketClass === undefined
      ? undefined
      : createWebSocketTransport({ ...common, WebSocket: WebSocketClass });
  const manager = connectionManager({
    transport: http,
    webSocket,
    sse: transports.sse === false ? false : undefined,
    intervalMs: transports.pollIntervalMs,
    fallbackAfterFailures: transports.fallbackAfterFailures,
    upgradeAfterMs: transports.upgradeAfterMs,
    whenHidden: transports.whenHidden,
    whenOffline: transports.whenOffline,
    environment: options.environment,
    retry: options.retry,
  });
  return { ...manager, close: () => webSocket?.close() };
}
