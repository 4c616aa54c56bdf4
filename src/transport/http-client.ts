import { isIdbSyncError } from '../errors/idb-sync-error.js';
import { NetworkError } from '../errors/network-error.js';
import { PROTOCOL_HEADERS } from '../protocol/version.js';
import { errorFromRefusal, RETRYABLE_STATUSES } from './error-from-answer.js';
import { parseJsonText } from './parse-response.js';
import { parseRetryAfter } from './retry-after.js';
import { backoffDelay, type RetryOptions, resolveRetry } from './retry-policy.js';
import type { GetToken, TransportLogger } from './sync-transport.js';

/** Options shared by the HTTP and WebSocket transports. */
export interface HttpClientOptions {
  /**
   * The server's base URL, e.g. `https://sync.example.com` or `https://example.com/api` (a path
   * prefix is kept; endpoint paths such as `v1/pull` are appended).
   */
  readonly baseUrl: string | URL;
  /** This app's schema version, sent as `X-Schema-Version` with every request. */
  readonly schemaVersion: number;
  /** Auth hook; see {@link GetToken}. Default: no `Authorization` header. */
  readonly getToken?: GetToken | undefined;
  /** The fetch implementation, read when a request is sent. Default: `globalThis.fetch`. */
  readonly fetch?: typeof globalThis.fetch | undefined;
  /**
   * Time limit of each attempt, in milliseconds: until the headers arrive and again for reading the
   * body. Default `30_000`.
   */
  readonly timeoutMs?: number | undefined;
  /**
   * The retry policy (the SDK's one shape, {@link RetryOptions}): a request is retried
   * `requestRetries` times (default 2) after timeouts, network failures and statuses 408, 429, 500,
   * 502, 503, 504, with full-jitter delays from `initialMs`/`maxMs`, waiting out a `Retry-After` of
   * up to `requestRetryAfterMs` (a longer one fails the request at once with `retryAfterMs`).
   */
  readonly retry?: RetryOptions | undefined;
  /** Extra headers sent with every request (never logged). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** Receives one entry per response, retry, auth refresh and failure. Default: none. */
  readonly logger?: TransportLogger | undefined;
}

/** One request of the HTTP client. */
export interface HttpCall {
  /** Protocol endpoint path, e.g. `/v1/pull`. */
  readonly endpoint: string;
  /** The body of a `POST`; without one the request is a `GET`. */
  readonly json?: unknown;
  readonly signal?: AbortSignal | undefined;
  /** The pulled collection, for a `RESET_REQUIRED` answer. */
  readonly collection?: string | undefined;
  /** Override of the retry limit (the event stream is not retried inside the request). */
  readonly retryLimit?: number;
  /** Accept header. Default `application/json`. */
  readonly accept?: string;
}

/** A response with a 2xx status, plus a helper to read its body within the time limit. */
export interface HttpAnswer {
  readonly response: Response;
  /** Reads and parses the JSON body (`InvalidResponseError` when it is not JSON). */
  json(): Promise<unknown>;
}

/**
 * The core of the HTTP transport, on fetch: auth, retries, time limits and typed errors. Sends
 * `call`; resolves with a 2xx answer or rejects with a typed error (or the abort reason).
 */
export type HttpClient = (call: HttpCall) => Promise<HttpAnswer>;

/**
 * A response whose status is not 2xx (after the retries): the `cause` of the typed error. It names
 * the method and the URL without its query: a request's headers and body may hold a credential or
 * a record, and causes are logged and serialised by apps.
 */
class HTTPError extends Error {
  override readonly name = 'HTTPError';
  constructor(
    readonly response: Response,
    where: string,
  ) {
    super(`Request failed with status code ${`${response.status} ${response.statusText}`.trim()}: ${where}`);
  }
}

/** Statuses whose `Retry-After` (up to `requestRetryAfterMs`) is the delay before the retry. */
const AFTER_STATUSES = [429, 503];
const MAX_TIMER_MS = 2_147_483_647;

/** Builds the shared HTTP client of the transports. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const policy = resolveRetry(options.retry);
  const maxRetryAfterMs = Math.min(policy.requestRetryAfterMs, policy.maxRetryAfterMs);
  const { getToken, logger } = options;
  const prefix = String(options.baseUrl).replace(/\/?$/, '/');

  const readToken = async (forceRefresh: boolean): Promise<string | undefined> =>
    getToken === undefined ? undefined : ((await getToken({ forceRefresh })) ?? undefined);

  /**
   * How long to wait before retrying after `error`, the `failures`-th failed attempt, or
   * `undefined` when it is final: a status not retried, or a `Retry-After` longer than a call may
   * be held (the error carries it to the listeners' scheduler, which waits without holding a
   * request open).
   */
  const retryWait = (error: unknown, failures: number): number | undefined => {
    if (error instanceof HTTPError) {
      const { status, headers } = error.response;
      if (!RETRYABLE_STATUSES.has(status)) return undefined;
      const after = parseRetryAfter(headers.get('Retry-After'));
      if (after !== undefined && after > maxRetryAfterMs) return undefined;
      if (after !== undefined && AFTER_STATUSES.includes(status)) return after;
    }
    return backoffDelay(failures, policy);
  };

  return async (call) => {
    const { endpoint, signal: callSignal } = call;
    const started = Date.now();
    const body = call.json === undefined ? undefined : JSON.stringify(call.json);
    const method = body === undefined ? 'GET' : 'POST';
    const url = prefix + endpoint.replace(/^\//, '');
    // For errors, which apps log and serialise: no query, headers or body (a credential, a record).
    const where = `${method} ${url.replace(/[?#].*/, '')}`;
    const limit = call.retryLimit ?? policy.requestRetries;
    let retries = 0;
    // Failed attempts with the current token: a refreshed token gets the whole retry budget again.
    let failures = 0;
    let refreshed = false;
    let token = await readToken(false);
    const log = (entry: Omit<Parameters<TransportLogger>[0], 'endpoint' | 'durationMs'>) =>
      logger?.({ endpoint, durationMs: Date.now() - started, ...entry });

    for (;;) {
      // One controller per attempt: it aborts the request when the headers, then the body, take too long.
      const deadline = new AbortController();
      /** `work`, unless the time limit passes first: then the request is aborted and this rejects. */
      const timed = <T>(work: () => Promise<T>): Promise<T> =>
        new Promise<T>((resolve, reject) => {
          const timer = setTimeout(() => {
            deadline.abort();
            reject(new DOMException(`Request timed out: ${where}`, 'TimeoutError'));
          }, timeoutMs);
          work()
            .then(resolve, reject)
            .finally(() => clearTimeout(timer));
        });
      const translate = (error: unknown, parsedBody?: unknown): unknown => {
        if (callSignal?.aborted) return callSignal.reason;
        if (error instanceof HTTPError) {
          return errorFromRefusal({
            endpoint,
            status: error.response.status,
            body: parsedBody,
            retryAfterMs: parseRetryAfter(error.response.headers.get('Retry-After')),
            schemaVersion: options.schemaVersion,
            collection: call.collection,
            refreshed,
            cause: error,
          });
        }
        if (deadline.signal.aborted) return new NetworkError(endpoint, 'timeout', { cause: error });
        if (isIdbSyncError(error)) return error;
        // fetch rejects with a TypeError for DNS, refused and reset connections, and for a body cut off.
        return new NetworkError(endpoint, 'unreachable', { cause: error });
      };

      let error: unknown;
      try {
        const headers = new Headers(options.headers);
        headers.set(PROTOCOL_HEADERS.schemaVersion, String(options.schemaVersion));
        headers.set('accept', call.accept ?? 'application/json');
        if (token !== undefined) headers.set('authorization', `Bearer ${token}`);
        if (body !== undefined) headers.set('content-type', 'application/json');
        const signal =
          callSignal === undefined ? deadline.signal : AbortSignal.any([callSignal, deadline.signal]);
        const request = new Request(url, { method, headers, body: body ?? null, signal });
        const response = await timed(() => (options.fetch ?? globalThis.fetch)(request));
        if (response.ok) {
          log({ event: 'response', status: response.status, retries });
          return {
            response,
            json: () =>
              timed(async () =>
                parseJsonText(await response.text(), { endpoint, status: response.status }),
              ).catch((failure: unknown) => {
                throw translate(failure);
              }),
          };
        }
        error = new HTTPError(response, where);
      } catch (thrown) {
        error = thrown;
      }
      if (
        error instanceof HTTPError &&
        error.response.status === 401 &&
        getToken !== undefined &&
        !refreshed
      ) {
        // One refresh per request: a second 401 means the refreshed token is refused too.
        discard(error);
        refreshed = true;
        failures = 0;
        log({ event: 'auth-refresh', status: 401, retries });
        token = await readToken(true);
        continue;
      }
      failures += 1;
      const wait = failures > limit || callSignal?.aborted ? undefined : retryWait(error, failures);
      if (wait !== undefined) {
        discard(error);
        try {
          await sleep(Math.min(wait, MAX_TIMER_MS), callSignal);
          retries += 1;
          log({ event: 'retry', retries, ...failureFields(error, deadline.signal.aborted) });
          continue;
        } catch (reason) {
          error = reason;
        }
      }
      // A refusal's body says why (its stable code), read within the time limit; not JSON: `undefined`.
      const refusal = error instanceof HTTPError ? error : undefined;
      const parsedBody =
        refusal &&
        (await timed(() => refusal.response.text())
          .then((text) => JSON.parse(text) as unknown)
          .catch(() => undefined));
      const failure = translate(error, parsedBody);
      log({
        event: 'failure',
        retries,
        ...failureFields(error, false),
        error: isIdbSyncError(failure) ? failure.code : 'ABORTED',
      });
      throw failure;
    }
  };
}

/** What the log says of a failed attempt (`error` is the kind of failure). */
function failureFields(error: unknown, timedOut: boolean): { status?: number; error: string } {
  if (error instanceof HTTPError) return { status: error.response.status, error: 'http' };
  return { error: timedOut ? 'timeout' : 'network' };
}

/** Lets go of a refused answer's body, unread. */
function discard(error: unknown): void {
  if (error instanceof HTTPError) void error.response.body?.cancel().catch(() => undefined);
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
