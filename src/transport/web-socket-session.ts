import type { IdbSyncError } from '../errors/idb-sync-error.js';
import { NetworkError } from '../errors/network-error.js';
import { ServerError } from '../errors/server-error.js';
import type { ErrorBody } from '../protocol/error-codes.js';
import { WS_CLOSE_CODES, type WsClientMessage, wsServerMessageSchema } from '../protocol/messages.js';
import { PROTOCOL_PATHS } from '../protocol/version.js';
import { errorFromRefusal, statusOfCode } from './error-from-answer.js';
import { parseJsonText, validate } from './parse-response.js';
import type { ServerEvent, TransportLogger } from './sync-transport.js';

/** The part of the WebSocket API the transport uses: the browser's class and the `ws` package's both fit. */
export interface WebSocketLike {
  /** `WebSocket.readyState`: 1 while open. */
  readonly readyState: number;
  /** Sends one text frame. */
  send(data: string): void;
  /** Closes the socket with an optional code and reason. */
  close(code?: number, reason?: string): void;
  /** Listens to incoming frames. */
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
  /** Listens to the socket closing, with its close code. */
  addEventListener(type: 'close', listener: (event: { readonly code: number }) => void): void;
  /** Listens to the socket opening or failing. */
  addEventListener(type: 'open' | 'error', listener: () => void): void;
}

/** A WebSocket class: `globalThis.WebSocket` in browsers, `WebSocket` from the `ws` package in Node. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

const OPEN = 1;
const ENDPOINT = PROTOCOL_PATHS.ws;

/** Settings of one session. */
export interface SessionSettings {
  readonly url: string;
  readonly WebSocket: WebSocketConstructor;
  readonly token: string | undefined;
  readonly schemaVersion: number;
  /** Whether `token` came from a forced refresh (for the `AuthError`). */
  readonly refreshed: boolean;
  readonly connectTimeoutMs: number;
  readonly logger: TransportLogger | undefined;
  /** Called once when the session is over (closed for any reason). */
  readonly onClosed: (session: WebSocketSession) => void;
  /** Called whenever the number of users (pending requests plus event listeners) changes. */
  readonly onUsage: (session: WebSocketSession) => void;
}

interface Pending {
  /** The pulled collection, for a `RESET_REQUIRED` answer. */
  readonly collection: string | undefined;
  readonly resolve: (body: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

type EventListener = { next(event: ServerEvent): void; error(error: unknown): void };

/**
 * One `/v1/ws` connection: the `hello` handshake (token and schema version in the message, never in
 * the URL), requests matched to answers by `requestId`, pokes and heartbeats fanned out to event
 * listeners. When the socket closes, every pending request and listener gets the typed reason.
 */
export class WebSocketSession {
  readonly ready: Promise<number>;
  #socket: WebSocketLike;
  #closed = false;
  #failure: IdbSyncError | undefined;
  #heartbeatMs = 0;
  #nextId = 0;
  readonly #pending = new Map<string, Pending>();
  readonly #listeners = new Set<EventListener>();
  readonly #settings: SessionSettings;
  #watchdog: ReturnType<typeof setTimeout> | undefined;
  #helloed = false;
  #rejectReady: (error: unknown) => void = () => undefined;

  constructor(settings: SessionSettings) {
    this.#settings = settings;
    this.#socket = new settings.WebSocket(settings.url);
    let resolveReady!: (heartbeatMs: number) => void;
    this.ready = new Promise<number>((resolve, reject) => {
      resolveReady = resolve;
      this.#rejectReady = reject;
    });
    // Rejections are observed by whoever awaits `ready`; this keeps an unawaited one quiet.
    this.ready.catch(() => undefined);
    let opened = false;
    const connectTimer = setTimeout(() => {
      this.#fail(new NetworkError(ENDPOINT, 'timeout'));
    }, settings.connectTimeoutMs);
    this.#socket.addEventListener('open', () => {
      opened = true;
      const hello: WsClientMessage =
        settings.token === undefined
          ? { type: 'hello', schemaVersion: settings.schemaVersion }
          : { type: 'hello', token: settings.token, schemaVersion: settings.schemaVersion };
      this.#socket.send(JSON.stringify(hello));
    });
    this.#socket.addEventListener('message', (event) => {
      this.#armWatchdog();
      const message = this.#parse(event.data);
      if (message === undefined) return;
      switch (message.type) {
        case 'hello':
          this.#helloed = true;
          clearTimeout(connectTimer);
          this.#heartbeatMs = message.heartbeatMs;
          this.#armWatchdog();
          settings.logger?.({ event: 'connect', endpoint: ENDPOINT });
          resolveReady(message.heartbeatMs);
          for (const listener of this.#listeners)
            listener.next({ type: 'open', heartbeatMs: message.heartbeatMs });
          return;
        case 'poke':
          for (const listener of this.#listeners)
            listener.next({ type: 'poke', poke: { collection: message.collection, seq: message.seq } });
          return;
        case 'heartbeat':
          for (const listener of this.#listeners) listener.next({ type: 'heartbeat' });
          return;
        case 'result':
          this.#settle(message.requestId, (pending) => pending.resolve(message.body));
          return;
        case 'error':
          if (message.requestId === undefined) {
            this.#failure ??= this.#refusal(message.body);
            return;
          }
          this.#settle(message.requestId, (pending) =>
            pending.reject(this.#refusal(message.body, pending.collection)),
          );
          return;
      }
    });
    this.#socket.addEventListener('close', (event) => {
      clearTimeout(connectTimer);
      const reason = this.#failure ?? this.#closeReason(event.code, opened);
      settings.logger?.({ event: 'disconnect', endpoint: ENDPOINT, status: event.code, error: reason.code });
      this.#finish(reason);
    });
    this.#socket.addEventListener('error', () => {
      // Browsers give no detail; the `close` event that follows carries the outcome.
    });
  }

  /** The server's heartbeat interval, once `ready`. */
  get heartbeatMs(): number {
    return this.#heartbeatMs;
  }

  /** True once the socket is gone; a new session is needed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Pending requests plus event listeners. */
  get users(): number {
    return this.#pending.size + this.#listeners.size;
  }

  /** Sends a request and resolves with the `result` body (unvalidated) or rejects with a typed error. */
  request(
    type: 'pull' | 'push',
    body: unknown,
    timeoutMs: number,
    signal?: AbortSignal,
    collection?: string,
  ): Promise<unknown> {
    if (this.#closed) return Promise.reject(this.#failure ?? new NetworkError(ENDPOINT, 'connection-lost'));
    this.#nextId += 1;
    const requestId = String(this.#nextId);
    return new Promise<unknown>((resolve, reject) => {
      const onAbort = () => this.#settle(requestId, (pending) => pending.reject(signal?.reason));
      const timer = setTimeout(() => {
        this.#settle(requestId, (pending) => pending.reject(new NetworkError(ENDPOINT, 'timeout')));
      }, timeoutMs);
      this.#pending.set(requestId, {
        collection,
        resolve: (value) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(value);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
        timer,
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#settings.onUsage(this);
      this.#socket.send(JSON.stringify({ type, requestId, body }));
    });
  }

  /** Adds an event listener; `open` is replayed at once if the session is ready. Returns its removal. */
  listen(listener: EventListener): () => void {
    if (this.#closed) {
      listener.error(this.#failure ?? new NetworkError(ENDPOINT, 'connection-lost'));
      return () => undefined;
    }
    this.#listeners.add(listener);
    this.#settings.onUsage(this);
    if (this.#heartbeatMs > 0) listener.next({ type: 'open', heartbeatMs: this.#heartbeatMs });
    return () => {
      if (this.#listeners.delete(listener)) this.#settings.onUsage(this);
    };
  }

  /** Closes the socket (normal closure); pending requests fail with `connection-lost`. */
  close(): void {
    if (this.#closed) return;
    this.#finish(new NetworkError(ENDPOINT, 'connection-lost'));
    try {
      this.#socket.close(1000, 'client done');
    } catch {
      // Closing a socket that is still connecting throws in some runtimes; it is abandoned anyway.
    }
  }

  /** The message, validated; anything else fails the session (not JSON, or not a server message). */
  #parse(data: unknown) {
    const context = { endpoint: ENDPOINT, status: 0 };
    try {
      return validate(
        wsServerMessageSchema,
        parseJsonText(typeof data === 'string' ? data : '', context),
        context,
      );
    } catch (error) {
      this.#fail(error as IdbSyncError);
      return undefined;
    }
  }

  #refusal(body: ErrorBody, collection?: string): IdbSyncError {
    return errorFromRefusal({
      endpoint: ENDPOINT,
      status: statusOfCode(body.error.code),
      body,
      retryAfterMs: undefined,
      schemaVersion: this.#settings.schemaVersion,
      collection,
      refreshed: this.#settings.refreshed,
      cause: undefined,
    });
  }

  #closeReason(code: number, opened: boolean): IdbSyncError {
    switch (code) {
      case WS_CLOSE_CODES.unauthorized:
        return this.#refusal({ protocolVersion: 1, error: { code: 'UNAUTHORIZED', message: '' } });
      case WS_CLOSE_CODES.upgradeRequired:
        return this.#refusal({ protocolVersion: 1, error: { code: 'UPGRADE_REQUIRED', message: '' } });
      case WS_CLOSE_CODES.serverUnavailable:
        return new ServerError(ENDPOINT, statusOfCode('SERVER_SCHEMA_OUTDATED'), undefined, true, undefined);
      default:
        return new NetworkError(ENDPOINT, opened ? 'connection-lost' : 'unreachable');
    }
  }

  /** Gives up on the session: closes the socket and fails everything with `error`. */
  #fail(error: IdbSyncError): void {
    if (this.#closed) return;
    this.#failure ??= error;
    try {
      this.#socket.close(this.#socket.readyState === OPEN ? 4000 : undefined);
    } catch {
      // See close().
    }
    // Some runtimes deliver no `close` event for a socket that never opened: settle now.
    this.#finish(this.#failure);
  }

  #finish(reason: IdbSyncError): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#failure ??= reason;
    clearTimeout(this.#watchdog);
    if (!this.#helloed) this.#rejectReady(this.#failure);
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id);
      clearTimeout(pending.timer);
      pending.reject(this.#failure);
    }
    for (const listener of [...this.#listeners]) listener.error(this.#failure);
    this.#listeners.clear();
    this.#settings.onClosed(this);
  }

  #settle(requestId: string, action: (pending: Pending) => void): void {
    const pending = this.#pending.get(requestId);
    if (pending === undefined) return;
    this.#pending.delete(requestId);
    clearTimeout(pending.timer);
    action(pending);
    this.#settings.onUsage(this);
  }

  /** A session silent for three heartbeat intervals is dead (half-open TCP): close it. */
  #armWatchdog(): void {
    if (this.#heartbeatMs <= 0 || this.#closed) return;
    clearTimeout(this.#watchdog);
    this.#watchdog = setTimeout(() => {
      this.#fail(new NetworkError(ENDPOINT, 'connection-lost'));
    }, this.#heartbeatMs * 3);
  }
}
