import { PROTOCOL_PATHS } from '../src/protocol/version.js';
import type { WebSocketConstructor } from './context.js';
import { clip, type Exchange } from './exchange.js';
import type { Wire } from './wire.js';

/** A message of a WebSocket session, parsed (the raw text when it is not JSON). */
export type WsMessage = Record<string, unknown> | string;

/**
 * A `/v1/ws` session for checks: sends messages, collects what comes back, and keeps a transcript
 * (both directions) in its exchange for failure reports.
 */
export class WsSession {
  readonly received: WsMessage[] = [];
  readonly exchange: Exchange;
  /** Resolves with the close code and reason when the socket closes. */
  readonly closed: Promise<{ code: number; reason: string }>;
  #socket: WebSocket;
  #waiters = new Set<() => void>();
  #transcript: string[] = [];
  #isClosed = false;

  private constructor(socket: WebSocket, exchange: Exchange) {
    this.#socket = socket;
    this.exchange = exchange;
    this.closed = new Promise((resolve) => {
      socket.addEventListener('close', (event) => {
        this.#isClosed = true;
        this.#log(`✕ closed ${event.code} ${event.reason}`);
        resolve({ code: event.code, reason: event.reason });
        this.#wake();
      });
    });
    socket.addEventListener('message', (event) => {
      const text = typeof event.data === 'string' ? event.data : String(event.data);
      let message: WsMessage = text;
      try {
        message = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // kept as text
      }
      this.received.push(message);
      this.#log(`← ${text}`);
      this.#wake();
    });
  }

  /** Connects to `/v1/ws` (with `query` parameters when given); fails when the upgrade fails. */
  static async open(
    WebSocketImpl: WebSocketConstructor,
    wire: Wire,
    query?: Record<string, string>,
  ): Promise<WsSession> {
    const http = wire.url(
      query === undefined ? PROTOCOL_PATHS.ws : `${PROTOCOL_PATHS.ws}?${new URLSearchParams(query)}`,
    );
    const url = http.replace(/^http/, 'ws');
    const exchange: Exchange = { method: 'WS', url, requestHeaders: {}, ms: 0 };
    wire.log.push(exchange);
    const started = performance.now();
    const socket = new WebSocketImpl(url);
    const session = new WsSession(socket, exchange);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no WebSocket upgrade within ${wire.timeoutMs} ms`)),
        wire.timeoutMs,
      );
      socket.addEventListener('open', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.addEventListener('error', () => {
        clearTimeout(timer);
        reject(new Error('the WebSocket upgrade failed'));
      });
    }).catch((error: Error) => {
      exchange.error = error.message;
      throw error;
    });
    exchange.status = 101;
    exchange.ms = performance.now() - started;
    return session;
  }

  #log(line: string): void {
    this.#transcript.push(line);
    this.exchange.responseBody = clip(this.#transcript.join('\n'), 4000);
  }

  #wake(): void {
    for (const wake of this.#waiters) wake();
  }

  /** Sends a message (an object as JSON, a string as is). */
  send(message: unknown): void {
    const text = typeof message === 'string' ? message : JSON.stringify(message);
    this.#log(`→ ${text}`);
    this.#socket.send(text);
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** The first message from index `from` that matches, or `undefined` after `timeoutMs` or on close. */
  async next(match: (m: WsMessage) => boolean, timeoutMs: number, from = 0): Promise<WsMessage | undefined> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const found = this.received.slice(from).find(match);
      if (found !== undefined) return found;
      const left = deadline - performance.now();
      if (left <= 0 || this.#isClosed) return undefined;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.#waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.#waiters.add(wake);
      });
    }
  }

  /** Waits for the close, at most `timeoutMs`; `undefined` when still open. */
  async closedWithin(timeoutMs: number): Promise<{ code: number; reason: string } | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([
      this.closed,
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    return result;
  }

  close(): void {
    if (!this.#isClosed) this.#socket.close(1000);
  }
}
