import { createParser } from 'eventsource-parser';
import { PROTOCOL_PATHS } from '../src/protocol/version.js';
import { clip, type Exchange } from './exchange.js';
import type { ProtocolClient } from './protocol-client.js';
import { errorText } from './wire.js';

/** One server-sent event: its name and parsed `data` (the raw text when not JSON). */
export interface StreamEvent {
  event: string;
  data: unknown;
}

/**
 * `GET /v1/events` read over `fetch` (as the SDK does): the answer's status and headers, then
 * every event as it comes. The exchange's body shows the events received, for failure reports.
 */
export class EventStream {
  readonly events: StreamEvent[] = [];
  #waiters = new Set<() => void>();
  #controller = new AbortController();
  #reading: Promise<void> = Promise.resolve();
  #ended = false;

  private constructor(
    readonly status: number,
    readonly headers: Headers,
    readonly exchange: Exchange,
  ) {}

  /** Opens the stream as `client` (headers), or with `query` parameters instead when given. */
  static async open(client: ProtocolClient, query?: Record<string, string>): Promise<EventStream> {
    const path =
      query === undefined ? PROTOCOL_PATHS.events : `${PROTOCOL_PATHS.events}?${new URLSearchParams(query)}`;
    const headers =
      query === undefined ? client.headers({ accept: 'text/event-stream' }) : { accept: 'text/event-stream' };
    const url = client.wire.url(path);
    const exchange: Exchange = { method: 'GET', url, requestHeaders: headers, ms: 0 };
    client.wire.log.push(exchange);
    const started = performance.now();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), client.wire.timeoutMs);
    let response: Response;
    try {
      response = await fetch(url, { headers, signal: controller.signal });
    } catch (error) {
      exchange.error = errorText(error);
      throw error;
    } finally {
      clearTimeout(timer);
      exchange.ms = performance.now() - started;
    }
    exchange.status = response.status;
    exchange.responseHeaders = Object.fromEntries(response.headers);
    const stream = new EventStream(response.status, response.headers, exchange);
    stream.#controller = controller;
    if (
      response.status !== 200 ||
      !(response.headers.get('content-type') ?? '').includes('text/event-stream')
    ) {
      exchange.responseBody = await response.text();
      stream.#ended = true;
      return stream;
    }
    stream.#reading = stream.#read(response);
    return stream;
  }

  /** The error body of a refused stream, parsed. */
  get json(): unknown {
    try {
      return JSON.parse(this.exchange.responseBody ?? '');
    } catch {
      return undefined;
    }
  }

  async #read(response: Response): Promise<void> {
    const parser = createParser({
      onEvent: (e) => {
        let data: unknown = e.data;
        try {
          data = JSON.parse(e.data);
        } catch {
          // kept as text
        }
        this.events.push({ event: e.event ?? 'message', data });
        this.exchange.responseBody = clip(
          this.events.map((x) => `event: ${x.event} data: ${JSON.stringify(x.data)}`).join(' | '),
          4000,
        );
        this.#wake();
      },
    });
    const decoder = new TextDecoder();
    const reader = response.body!.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } catch {
      // aborted by close(), or the connection broke
    } finally {
      this.#ended = true;
      this.#wake();
    }
  }

  #wake(): void {
    for (const wake of this.#waiters) wake();
  }

  /** True once the server (or the kit) ended the stream. */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Resolves with the first event from index `from` on that matches, or `undefined` after
   * `timeoutMs` (or when the stream ends first).
   */
  async next(
    match: (e: StreamEvent) => boolean,
    timeoutMs: number,
    from = 0,
  ): Promise<StreamEvent | undefined> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(from).find(match);
      if (found !== undefined) return found;
      const left = deadline - performance.now();
      if (left <= 0 || this.#ended) return undefined;
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

  async close(): Promise<void> {
    this.#controller.abort();
    await this.#reading;
  }
}
