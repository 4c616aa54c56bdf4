import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Exchange } from './exchange.js';

/** An HTTP answer with its exchange. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, `undefined` when it is not JSON. */
  json: unknown;
  exchange: Exchange;
}

/** The parts of an answer the error checks read (also what a refused event stream gives). */
export type Reply = Pick<Answer, 'status' | 'json' | 'exchange'>;

export interface SendOptions {
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
}

/**
 * The kit's HTTP layer: plain `fetch`, no retries except after `429` (honouring `Retry-After`, a
 * few times), every exchange recorded so failures can show it and the header check can scan them.
 */
export class Wire {
  constructor(
    readonly baseUrl: string,
    readonly timeoutMs: number,
    /** Shared by the wires of one run: every exchange in order, and the `429`s waited out. */
    readonly run: { log: Exchange[]; rateLimited: number } = { log: [], rateLimited: 0 },
  ) {}

  /** Every exchange of the run, in order. */
  get log(): Exchange[] {
    return this.run.log;
  }

  /** How many `429` answers were waited out. */
  get rateLimited(): number {
    return this.run.rateLimited;
  }

  /** A wire to another base URL (another instance of the server) recording into the same run. */
  to(baseUrl: string): Wire {
    return new Wire(baseUrl, this.timeoutMs, this.run);
  }

  /**
   * `path` under the base URL, which may itself have a path (a server mounted at `/sync` serves
   * `/sync/v1/pull`); an absolute URL is kept as is.
   */
  url(path: string): string {
    if (/^https?:\/\//.test(path)) return path;
    return `${this.baseUrl.replace(/\/+$/, '')}${path.startsWith('/') ? path : `/${path}`}`;
  }

  async send(method: string, path: string, options: SendOptions = {}): Promise<Answer> {
    const body =
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body);
    const headers = {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    };
    for (let attempt = 0; ; attempt++) {
      const answer = await this.#once(method, path, headers, body);
      if (answer.status !== 429 || attempt >= 5) return answer;
      this.run.rateLimited += 1;
      const retryAfter = Number(answer.headers.get('retry-after'));
      const waitMs = Math.min(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 500, 5000);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }

  async #once(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: string | undefined,
  ): Promise<Answer> {
    const url = this.url(path);
    const exchange: Exchange = {
      method,
      url,
      requestHeaders: headers,
      ...(body === undefined ? {} : { requestBody: body }),
      ms: 0,
    };
    this.log.push(exchange);
    const started = performance.now();
    try {
      const response = await fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await response.text();
      exchange.status = response.status;
      exchange.responseHeaders = Object.fromEntries(response.headers);
      exchange.responseBody = text;
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, headers: response.headers, text, json, exchange };
    } catch (error) {
      exchange.error = errorText(error);
      throw new WireError(exchange);
    } finally {
      exchange.ms = performance.now() - started;
    }
  }

  /**
   * Sends a large request over `node:http` and takes the answer as soon as it comes, even when the
   * server answers before reading the whole body and then closes the connection (RFC 9112 §9.6
   * lets it; `fetch` then reports a network error instead of the answer). `resetAfterAnswer` says
   * whether that happened.
   */
  sendReadingEarly(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: string,
  ): Promise<Answer & { resetAfterAnswer: boolean }> {
    const url = new URL(this.url(path));
    const exchange: Exchange = {
      method,
      url: url.toString(),
      requestHeaders: headers,
      requestBody: body,
      ms: 0,
    };
    this.log.push(exchange);
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      let answered = false;
      let reset = false;
      const req = send(url, {
        method,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
        // A connection of its own: the server may close it after answering early.
        agent: false,
      });
      req.setTimeout(this.timeoutMs, () => req.destroy(new Error('timed out')));
      req.on('error', (error) => {
        if (answered) {
          reset = true;
          return;
        }
        exchange.error = errorText(error);
        exchange.ms = performance.now() - started;
        reject(new WireError(exchange));
      });
      req.on('response', (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', () => {
          reset = true;
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (typeof value === 'string') responseHeaders.set(name, value);
            else if (Array.isArray(value)) for (const v of value) responseHeaders.append(name, v);
          }
          exchange.status = res.statusCode ?? 0;
          exchange.responseHeaders = Object.fromEntries(responseHeaders);
          exchange.responseBody = text;
          exchange.ms = performance.now() - started;
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          // Let a reset that follows the answer show before resolving.
          setTimeout(() => {
            if (reset)
              exchange.error = 'the server closed the connection before reading the whole request body';
            resolve({
              status: exchange.status!,
              headers: responseHeaders,
              text,
              json,
              exchange,
              resetAfterAnswer: reset,
            });
          }, 20);
        });
      });
      req.end(body);
    });
  }

  /**
   * Sends a request and drops the connection as soon as the whole request is written, before any
   * answer: a lost answer, as a client sees it when the network fails mid-request. Resolves when
   * the connection is gone; the server may or may not have processed the request.
   */
  sendAndDrop(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: string,
  ): Promise<Exchange> {
    const url = new URL(this.url(path));
    const exchange: Exchange = {
      method,
      url: url.toString(),
      requestHeaders: headers,
      requestBody: body,
      error: 'connection dropped by the kit right after sending the request (a lost answer)',
      ms: 0,
    };
    this.log.push(exchange);
    const started = performance.now();
    return new Promise((resolve) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(url, {
        method,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      });
      const done = () => {
        exchange.ms = performance.now() - started;
        resolve(exchange);
      };
      req.on('error', done);
      req.on('close', done);
      req.on('response', (res) => res.destroy());
      req.end(body, () => {
        // The request is out; give the bytes a moment to leave, then cut the connection.
        setTimeout(() => req.destroy(), 5);
      });
    });
  }
}

/** A request that got no HTTP answer at all. */
export class WireError extends Error {
  override readonly name = 'WireError';
  constructor(readonly exchange: Exchange) {
    super(`${exchange.method} ${exchange.url}: ${exchange.error}`);
  }
}

export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${error.name === 'TimeoutError' ? 'timed out' : error.message}${cause}`;
  }
  return String(error);
}
