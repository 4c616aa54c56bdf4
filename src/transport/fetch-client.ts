// The part of ky's API the HTTP client uses (`create(defaults)(input, options)`, `HTTPError`,
// `TimeoutError`, the retry options it sets and the `beforeRetry` hook), with ky's semantics, over
// `fetch`. (A long `Retry-After` is refused by the client's `shouldRetry`, hence no `maxRetryAfter`;
// the client names the methods and statuses to retry, hence no defaults for them.)
// It replaces ky itself: ky cost the sync client 4.5 KB min+gzip and built a `Request` when it was
// imported (its feature detection), which an SDK that promises to do nothing at import cannot have.
import { parseRetryAfter } from './retry-after.js';

/** How failed requests are retried (ky's `retry` option). */
export interface RetryOptions {
  /** Retries after the first attempt. Default 2. */
  readonly limit?: number;
  /** Methods that may be retried (lower case). Default: none. */
  readonly methods?: readonly string[];
  /** Statuses that are retried. Default: none. */
  readonly statusCodes?: readonly number[];
  /** Statuses whose `Retry-After` is waited for (the one header read, as a delay or a date). Default: none. */
  readonly afterStatusCodes?: readonly number[];
  /** Cap of the delay between attempts, in milliseconds. Default: none. */
  readonly backoffLimit?: number;
  /** Delay before retry `attemptCount` (1, 2, …), in milliseconds. Default `0.3 * 2 ** (attemptCount - 1) * 1000`. */
  readonly delay?: (attemptCount: number) => number;
  /** `true`: a random delay between 0 and the computed one (full jitter). Default `false`. */
  readonly jitter?: boolean;
  /** Retry after a timeout too. Default `false`. */
  readonly retryOnTimeout?: boolean;
  /** `false`: never retry this error; `true`: retry it; `undefined`: the rules above decide. */
  readonly shouldRetry?: (state: {
    error: Error;
    retryCount: number;
  }) => boolean | undefined | Promise<boolean | undefined>;
}

/** What every request of a client was sent with (ky's normalized options; no hooks). */
export interface NormalizedOptions {
  readonly method: string;
  readonly prefixUrl?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Called before each retry (ky's `beforeRetry` hook). */
export type BeforeRetryHook = (state: {
  request: Request;
  options: NormalizedOptions;
  error: Error;
  retryCount: number;
}) => void | Promise<void>;

/** Options of a client and of one request (ky's `Options` subset). */
export interface Options {
  /** Prepended to the request's input (which must not start with `/`). */
  readonly prefixUrl?: string;
  /** Default `get`. */
  readonly method?: string;
  /** Merged: the request's headers over the client's. */
  readonly headers?: Readonly<Record<string, string>>;
  /** A JSON body (sets `content-type: application/json`). */
  readonly json?: unknown;
  readonly signal?: AbortSignal;
  /** Time limit of each attempt until the response headers, in milliseconds (`false`: none). Default 10 000. */
  readonly timeout?: number | false;
  /** Merged field by field with the client's. */
  readonly retry?: RetryOptions;
  /** Default `globalThis.fetch`, read when a request is sent. */
  readonly fetch?: typeof globalThis.fetch;
  /** Concatenated with the client's. */
  readonly hooks?: { readonly beforeRetry?: readonly BeforeRetryHook[] };
}

/** A client made by {@link create}: sends one request, with retries, and resolves with a 2xx response. */
export type KyInstance = (input: string, options?: Options) => Promise<Response>;

/** A response whose status is not 2xx (after the retries). */
export class HTTPError extends Error {
  override readonly name = 'HTTPError';
  constructor(
    readonly response: Response,
    readonly request: Request,
    readonly options: NormalizedOptions,
  ) {
    const status = `${response.status} ${response.statusText ?? ''}`.trim();
    super(`Request failed with status code ${status}: ${request.method} ${request.url}`);
  }
}

/** No response headers within `timeout`. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  constructor(readonly request: Request) {
    super(`Request timed out: ${request.method} ${request.url}`);
  }
}

/** True for an {@link HTTPError}. */
export const isHTTPError = (error: unknown): error is HTTPError => error instanceof HTTPError;

/** True for a {@link TimeoutError}. */
export const isTimeoutError = (error: unknown): error is TimeoutError => error instanceof TimeoutError;

const maxSafeTimeout = 2_147_483_647;

/** A client whose requests use `defaults` (merged with each request's own options). */
function create(defaults: Options): KyInstance {
  return async (input, own = {}) => {
    const options: Options = {
      ...defaults,
      ...own,
      retry: { ...defaults.retry, ...own.retry },
      hooks: { beforeRetry: [...(defaults.hooks?.beforeRetry ?? []), ...(own.hooks?.beforeRetry ?? [])] },
    };
    const method = (options.method ?? 'get').toUpperCase();
    const prefix = options.prefixUrl ?? '';
    const url = prefix === '' || prefix.endsWith('/') ? `${prefix}${input}` : `${prefix}/${input}`;
    const headers = new Headers(defaults.headers);
    for (const [name, value] of Object.entries(own.headers ?? {})) headers.set(name, value);
    if (options.json !== undefined) headers.set('content-type', 'application/json');
    const body = options.json === undefined ? undefined : JSON.stringify(options.json);
    const normalized: NormalizedOptions = { method };
    const retry = options.retry ?? {};
    const limit = retry.limit ?? 2;
    for (let retryCount = 0; ; ) {
      const attempt = new AbortController();
      const signal = options.signal ? AbortSignal.any([options.signal, attempt.signal]) : attempt.signal;
      const request = new Request(url, { method, headers, ...(body === undefined ? {} : { body }), signal });
      let error: Error;
      try {
        const response = await withTimeout(request, options, attempt);
        if (response.ok) return response;
        error = new HTTPError(response, request, normalized);
      } catch (thrown) {
        error = thrown instanceof Error ? thrown : new Error(String(thrown));
      }
      retryCount += 1;
      const wait = await retryDelay(error, method, retryCount, limit, retry);
      if (wait === undefined) throw error;
      if (isHTTPError(error)) void error.response.body?.cancel().catch(() => undefined);
      await sleep(Math.min(wait, maxSafeTimeout), options.signal);
      for (const hook of options.hooks?.beforeRetry ?? [])
        await hook({ request, options: normalized, error, retryCount });
    }
  };
}

function withTimeout(request: Request, options: Options, attempt: AbortController): Promise<Response> {
  const fetch = options.fetch ?? globalThis.fetch;
  const { timeout = 10_000 } = options;
  if (timeout === false) return fetch(request);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      attempt.abort();
      reject(new TimeoutError(request));
    }, timeout);
    fetch(request)
      .then(resolve, reject)
      .finally(() => clearTimeout(timer));
  });
}

/** How long to wait before retry `retryCount`, or `undefined` when `error` is final (as ky decides). */
async function retryDelay(
  error: Error,
  method: string,
  retryCount: number,
  limit: number,
  retry: RetryOptions,
): Promise<number | undefined> {
  if (retryCount > limit) return undefined;
  if (!retry.methods?.includes(method.toLowerCase())) return undefined;
  const decided = await retry.shouldRetry?.({ error, retryCount });
  if (decided === false) return undefined;
  if (decided !== true) {
    if (isTimeoutError(error) && retry.retryOnTimeout !== true) return undefined;
    if (isHTTPError(error)) {
      const { status, headers } = error.response;
      if (!retry.statusCodes?.includes(status)) return undefined;
      const after = parseRetryAfter(headers.get('Retry-After'));
      if (after !== undefined && retry.afterStatusCodes?.includes(status)) return after;
    }
  }
  const computed = (retry.delay ?? ((n) => 0.3 * 2 ** (n - 1) * 1000))(retryCount);
  return Math.min(
    retry.backoffLimit ?? Number.POSITIVE_INFINITY,
    retry.jitter ? Math.random() * computed : computed,
  );
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const abort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', abort, { once: true });
  });
}

/** `ky.create(defaults)`, as the HTTP client calls it. */
export default { create };
