import type {
  Capabilities,
  Poke,
  PullRequest,
  PullResponse,
  PushRequest,
  PushResponse,
} from '../protocol/messages.js';
import type { Subscribable } from '../rx/observable.js';

/**
 * What the sync runner needs from the network: the server's capabilities, a page of changes, and a
 * push of local mutations. Implementations, in `idb-sync/transport`:
 * {@link "idb-sync/transport"!createHttpTransport} (fetch over HTTP) and
 * {@link "idb-sync/transport"!createWebSocketTransport} (the same requests over `/v1/ws`); tests may wrap one to inject
 * faults. Every answer is validated; every failure is a typed error (`NetworkError`, `ServerError`,
 * `AuthError`, `ResetRequiredError`, `UpgradeRequiredError`, `RequestRejectedError`,
 * `InvalidResponseError`). Aborting `signal` rejects with the signal's reason.
 */
export interface SyncTransport {
  /** `GET /v1/capabilities`: protocol version, transports, limits, collections. */
  capabilities(signal?: AbortSignal): Promise<Capabilities>;
  /** One page of changes of one collection after `request.checkpoint` (`null`: full sync). */
  pull(request: PullRequest, signal?: AbortSignal): Promise<PullResponse>;
  /**
   * Replays mutations on the server; one result per mutation, same order. Safe to repeat: the
   * server applies each `mutationId` of a client once and answers repeats from its stored result.
   */
  push(request: PushRequest, signal?: AbortSignal): Promise<PushResponse>;
}

/**
 * An event of a server's change-notification stream (SSE `GET /v1/events` or a WebSocket session):
 * `open` once the stream is established (with the server's heartbeat interval), then pokes and
 * heartbeats. The stream completes when the server ends it and errors with a typed error when it
 * fails; it never reconnects by itself (the listeners do, with backoff).
 */
export type ServerEvent =
  | { readonly type: 'open'; readonly heartbeatMs: number }
  | { readonly type: 'poke'; readonly poke: Poke }
  | { readonly type: 'heartbeat' };

/** A transport that can also stream change notifications. */
export interface ServerEventSource {
  /**
   * A cold stream of {@link ServerEvent}s: subscribing opens the stream (an SSE request or a
   * WebSocket session), unsubscribing closes it.
   */
  events(): Subscribable<ServerEvent>;
}

/** Options of the auth hook. */
export interface GetTokenOptions {
  /** True after the server refused the last token (401): return a fresh one, not a cached one. */
  readonly forceRefresh: boolean;
}

/**
 * Returns the bearer token to send, or `null`/`undefined` to send none. Called before each request
 * (cache the token yourself) and once with `forceRefresh: true` after a 401; if the retry with the
 * refreshed token is refused too, the request fails with an `AuthError`.
 */
export type GetToken = (
  options: GetTokenOptions,
) => string | null | undefined | PromiseLike<string | null | undefined>;

/**
 * One line of the transport's log. It names endpoints, statuses, timings and error codes only:
 * never tokens, headers, query strings or bodies.
 */
export interface TransportLogEntry {
  /** What happened. */
  readonly event: 'response' | 'retry' | 'auth-refresh' | 'failure' | 'connect' | 'disconnect';
  /** Protocol endpoint, e.g. `/v1/pull`. */
  readonly endpoint: string;
  /** HTTP status (or WebSocket close code), when there was one. */
  readonly status?: number;
  /** Time from the first attempt to this event, in milliseconds. */
  readonly durationMs?: number;
  /** Retries made so far by this request. */
  readonly retries?: number;
  /** The typed error's `code` (or a short reason) for `failure` and `retry`. */
  readonly error?: string;
}

/** Receives {@link TransportLogEntry}s; default: none are logged. */
export type TransportLogger = (entry: TransportLogEntry) => void;
