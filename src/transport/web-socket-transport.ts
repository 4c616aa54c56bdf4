import { isIdbSyncError } from '../errors/idb-sync-error.js';
import type { PullRequest, PullResponse, PushRequest, PushResponse } from '../protocol/messages.js';
import { PROTOCOL_PATHS } from '../protocol/version.js';
import { Observable } from '../rx/observable.js';
import type { HttpClientOptions } from './http-client.js';
import { createHttpTransport } from './http-transport.js';
import { parsePullResponse, parsePushResponse } from './parse-response.js';
import { backoffDelay, resolveRetry } from './retry-policy.js';
import type { ServerEvent, ServerEventSource, SyncTransport } from './sync-transport.js';
import { type WebSocketConstructor, WebSocketSession } from './web-socket-session.js';

export type { WebSocketConstructor, WebSocketLike } from './web-socket-session.js';

/** Options of {@link createWebSocketTransport}. */
export interface WebSocketTransportOptions extends HttpClientOptions {
  /**
   * The WebSocket URL. Default: `baseUrl` with `http` → `ws` (`https` → `wss`) and `v1/ws` appended.
   * The token is never put in it: it travels in the `hello` message.
   */
  readonly url?: string | URL;
  /**
   * The WebSocket class. Default `globalThis.WebSocket` (browsers, Node 22+); on Node 20 pass the
   * `ws` package's `WebSocket`.
   */
  readonly WebSocket?: WebSocketConstructor;
  /** Time limit of the connection and `hello` handshake, in milliseconds. Default `10_000`. */
  readonly connectTimeoutMs?: number;
  /** Time limit of each pull or push answer, in milliseconds. Default: `timeoutMs` (`30_000`). */
  readonly requestTimeoutMs?: number;
  /**
   * How long a socket no request or event subscriber uses stays open, in milliseconds (so
   * consecutive pulls share one connection). Default `30_000`.
   */
  readonly idleTimeoutMs?: number;
}

/** The WebSocket transport: pull and push over `/v1/ws`, its pokes as `events()`, and `close()`. */
export interface WebSocketSyncTransport extends SyncTransport, ServerEventSource {
  /** The server's pokes over the socket. */
  events(): Observable<ServerEvent>;
  /** Closes the current socket now (a later request or subscriber opens a new one). */
  close(): void;
}

/**
 * The sync transport over one WebSocket (`/v1/ws`): pull and push travel as messages matched to
 * their answers by request id, so a realtime client needs a single connection for pokes, pulls and
 * pushes. The socket opens on first use (the `hello` carries `getToken()` and the schema version;
 * a refused token is refreshed once) and closes after `idleTimeoutMs` unused. A request whose
 * socket dies is retried on a new socket up to `retry.requestRetries` times (default 2; safe, as over
 * HTTP, thanks to checkpoints and mutation ids), then fails with a `NetworkError`. Answers are
 * validated like the HTTP transport's. `capabilities()` uses HTTP (`GET /v1/capabilities`).
 *
 * @example
 * import { WebSocket } from 'ws'; // Node 20 only; browsers have their own
 * const transport = createWebSocketTransport({ baseUrl: 'https://sync.example.com', schemaVersion: 3, getToken, WebSocket });
 */
export function createWebSocketTransport(options: WebSocketTransportOptions): WebSocketSyncTransport {
  const http = createHttpTransport(options);
  const url = String(options.url ?? webSocketUrl(options.baseUrl));
  const WebSocketClass =
    options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket ?? missingWebSocket();
  const requestTimeoutMs = options.requestTimeoutMs ?? options.timeoutMs ?? 30_000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
  const policy = resolveRetry(options.retry);
  const { getToken, logger, schemaVersion } = options;
  let session: WebSocketSession | undefined;
  let idle: ReturnType<typeof setTimeout> | undefined;

  const open = async (forceRefresh: boolean): Promise<WebSocketSession> => {
    const token = getToken === undefined ? undefined : ((await getToken({ forceRefresh })) ?? undefined);
    const created = new WebSocketSession({
      url,
      WebSocket: WebSocketClass,
      token,
      schemaVersion,
      refreshed: forceRefresh,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      logger,
      onClosed: (closed) => {
        if (session === closed) session = undefined;
      },
      onUsage: (used) => {
        clearTimeout(idle);
        if (used.users > 0 || used.closed) return;
        idle = setTimeout(() => used.close(), idleTimeoutMs);
        // An idle socket must not keep a Node process alive.
        (idle as { unref?: () => void }).unref?.();
      },
    });
    session = created;
    return created;
  };

  let opening: Promise<WebSocketSession> | undefined;
  const refreshes = new WeakMap<WebSocketSession, Promise<WebSocketSession>>();

  /** The live session, or the one being opened: concurrent callers share a single socket. */
  const current = (): Promise<WebSocketSession> => {
    if (session !== undefined) return Promise.resolve(session);
    opening ??= open(false).finally(() => {
      opening = undefined;
    });
    return opening;
  };

  /** One session with a refreshed token per refused session, shared by every caller that saw the refusal. */
  const refreshAfter = (refused: WebSocketSession, status: number): Promise<WebSocketSession> => {
    let next = refreshes.get(refused);
    if (next === undefined) {
      logger?.({ event: 'auth-refresh', endpoint: PROTOCOL_PATHS.ws, status });
      next = open(true);
      refreshes.set(refused, next);
    }
    return next;
  };

  /** A session past its `hello`; a refused token is refreshed once. */
  const ready = async (): Promise<WebSocketSession> => {
    const first = await current();
    try {
      await first.ready;
      return first;
    } catch (error) {
      if (!isIdbSyncError(error, 'AUTH_FAILED') || getToken === undefined || error.refreshed) throw error;
      const second = await refreshAfter(first, error.status);
      await second.ready;
      return second;
    }
  };

  const request = (
    type: 'pull' | 'push',
    body: unknown,
    signal: AbortSignal | undefined,
    collection?: string,
  ): Promise<unknown> => {
    const started = Date.now();
    const attempt = async (): Promise<unknown> => {
      for (let retries = 1; ; retries++) {
        try {
          return await (await ready()).request(type, body, requestTimeoutMs, signal, collection);
        } catch (error) {
          // Only a lost connection is retried, `requestRetries` times, after the policy's delay.
          if (retries > policy.requestRetries || !isIdbSyncError(error, 'NETWORK_ERROR') || signal?.aborted)
            throw error;
          logger?.({ event: 'retry', endpoint: PROTOCOL_PATHS.ws, retries, error: error.code });
          await new Promise((resolve) => setTimeout(resolve, backoffDelay(retries, policy)));
        }
      }
    };
    return attempt().then(
      (answer) => {
        logger?.({ event: 'response', endpoint: PROTOCOL_PATHS.ws, durationMs: Date.now() - started });
        return answer;
      },
      (error: unknown) => {
        if (signal?.aborted) throw signal.reason;
        logger?.({
          event: 'failure',
          endpoint: PROTOCOL_PATHS.ws,
          durationMs: Date.now() - started,
          error: (error as { code?: string }).code ?? 'unknown',
        });
        throw error;
      },
    );
  };

  return {
    capabilities: http.capabilities,
    async pull(pullRequest: PullRequest, signal?: AbortSignal): Promise<PullResponse> {
      const body = await request('pull', pullRequest, signal, pullRequest.collection);
      return parsePullResponse(body, pullRequest, { endpoint: PROTOCOL_PATHS.ws, status: 0 });
    },
    async push(pushRequest: PushRequest, signal?: AbortSignal): Promise<PushResponse> {
      const body = await request('push', pushRequest, signal);
      return parsePushResponse(body, pushRequest, { endpoint: PROTOCOL_PATHS.ws, status: 0 });
    },
    events(): Observable<ServerEvent> {
      return new Observable<ServerEvent>((subscriber) => {
        let remove: (() => void) | undefined;
        let closed = false;
        // Listen before the handshake ends, so no poke sent right after the server's hello is missed.
        const attach = (attached: WebSocketSession) => {
          if (closed) return;
          remove = attached.listen({
            next: (event) => subscriber.next(event),
            error: (error) => {
              if (isIdbSyncError(error, 'AUTH_FAILED') && !error.refreshed && getToken !== undefined) {
                refreshAfter(attached, error.status).then(attach, (e: unknown) => subscriber.error(e));
              } else {
                subscriber.error(error);
              }
            },
          });
        };
        current().then(attach, (error: unknown) => subscriber.error(error));
        return () => {
          closed = true;
          remove?.();
        };
      });
    },
    close() {
      clearTimeout(idle);
      session?.close();
      session = undefined;
    },
  };
}

/** `http(s)://host/prefix` → `ws(s)://host/prefix/v1/ws`. */
function webSocketUrl(baseUrl: string | URL): string {
  const url = new URL(String(baseUrl));
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.pathname = `${url.pathname.replace(/\/$/, '')}${PROTOCOL_PATHS.ws}`;
  return url.toString();
}

function missingWebSocket(): never {
  throw new TypeError('No WebSocket class: pass the `WebSocket` option (on Node 20, the `ws` package)');
}
