import { isIdbSyncError } from '../errors/idb-sync-error.js';
import { NetworkError } from '../errors/network-error.js';
import { PROTOCOL_HEADERS } from '../protocol/version.js';
import { errorFromRefusal } from './error-from-answer.js';
import ky, {
  type HTTPError,
  isHTTPError,
  isTimeoutError,
  type KyInstance,
  type Options,
} from './fetch-client.js';
import { parseJsonText } from './parse-response.js';
import { redactHttpError, redactTimeoutError } from './redact.js';
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
  readonly getToken?: GetToken;
  /** The fetch implementation ky uses. Default: `globalThis.fetch`. */
  readonly fetch?: typeof globalThis.fetch;
  /**
   * Time limit of each attempt, in milliseconds: until the headers arrive (ky's `timeout`) and again
   * for reading the body. Default `30_000`.
   */
  readonly timeoutMs?: number;
  /**
   * The retry policy (the SDK's one shape, {@link RetryOptions}): a request is retried
   * `requestRetries` times (default 2) after timeouts, network failures and statuses 408, 429, 500,
   * 502, 503, 504, with full-jitter delays from `initialMs`/`maxMs`, waiting out a `Retry-After` of
   * up to `requestRetryAfterMs` (a longer one fails the request at once with `retryAfterMs`).
   */
  readonly retry?: RetryOptions;
  /** Extra headers sent with every request (never logged). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Receives one entry per response, retry, auth refresh and failure. Default: none. */
  readonly logger?: TransportLogger;
}

/** One request of the HTTP client. */
export interface HttpCall {
  /** Protocol endpoint path, e.g. `/v1/pull`. */
  readonly endpoint: string;
  readonly method: 'get' | 'post';
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

/** The ky-based core of the HTTP transport: auth, retries, time limits and typed errors. */
export interface HttpClient {
  /** Sends `call`; resolves with a 2xx answer or rejects with a typed error (or the abort reason). */
  send(call: HttpCall): Promise<HttpAnswer>;
  readonly schemaVersion: number;
  readonly logger: TransportLogger | undefined;
}

const RETRY_STATUSES = [408, 429, 500, 502, 503, 504];

/** Builds the shared HTTP client of the transports. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const policy = resolveRetry(options.retry);
  const maxRetryAfterMs = Math.min(policy.requestRetryAfterMs, policy.maxRetryAfterMs);
  const { getToken, logger, schemaVersion } = options;
  const base: Options = {
    prefixUrl: String(options.baseUrl),
    timeout: timeoutMs,
    headers: { ...options.headers, [PROTOCOL_HEADERS.schemaVersion]: String(schemaVersion) },
    retry: {
      limit: policy.requestRetries,
      methods: ['get', 'post'],
      statusCodes: RETRY_STATUSES,
      afterStatusCodes: [429, 503],
      retryOnTimeout: true,
      // The SDK's one full-jitter formula (no jitter or limit of the fetch client on top).
      delay: (attempt) => backoffDelay(attempt, policy),
      // A Retry-After longer than we are willing to block a call for ends the call: the error
      // carries it to the listeners' scheduler, which waits without holding a request open.
      shouldRetry: ({ error }) => {
        if (!isHTTPError(error)) return undefined;
        const after = parseRetryAfter(error.response.headers.get('Retry-After'));
        return after !== undefined && after > maxRetryAfterMs ? false : undefined;
      },
    },
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  };
  const api: KyInstance = ky.create(base);

  async function readToken(forceRefresh: boolean): Promise<string | undefined> {
    if (getToken === undefined) return undefined;
    return (await getToken({ forceRefresh })) ?? undefined;
  }

  async function send(call: HttpCall): Promise<HttpAnswer> {
    const started = Date.now();
    let retries = 0;
    let refreshed = false;
    let token = await readToken(false);
    const log = (entry: Omit<Parameters<TransportLogger>[0], 'endpoint' | 'durationMs'>) =>
      logger?.({ endpoint: call.endpoint, durationMs: Date.now() - started, ...entry });
    for (;;) {
      // One controller per attempt: ky's timeout covers the wait for headers, this one the body.
      const bodyDeadline = new AbortController();
      const signal =
        call.signal === undefined ? bodyDeadline.signal : AbortSignal.any([call.signal, bodyDeadline.signal]);
      try {
        const response = await api(call.endpoint.replace(/^\//, ''), {
          method: call.method,
          signal,
          headers: {
            accept: call.accept ?? 'application/json',
            ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
          },
          ...(call.json === undefined ? {} : { json: call.json }),
          ...(call.retryLimit === undefined ? {} : { retry: { limit: call.retryLimit } }),
          hooks: {
            beforeRetry: [
              ({ error }) => {
                retries += 1;
                log({ event: 'retry', retries, ...describeFailure(error) });
              },
            ],
          },
        });
        log({ event: 'response', status: response.status, retries });
        return {
          response,
          json: () =>
            withDeadline(bodyDeadline, timeoutMs, async () =>
              parseJsonText(await response.text(), { endpoint: call.endpoint, status: response.status }),
            ).catch((error: unknown) => {
              throw translate(error, call, bodyDeadline, refreshed, undefined);
            }),
        };
      } catch (error) {
        if (isHTTPError(error) && error.response.status === 401 && getToken !== undefined && !refreshed) {
          // One refresh per request: a second 401 means the refreshed token is refused too.
          void error.response.body?.cancel().catch(() => undefined);
          refreshed = true;
          log({ event: 'auth-refresh', status: 401, retries });
          token = await readToken(true);
          continue;
        }
        const body = isHTTPError(error) ? await readErrorBody(error, bodyDeadline, timeoutMs) : undefined;
        const failure = translate(error, call, bodyDeadline, refreshed, body);
        log({ event: 'failure', retries, ...describeFailure(error), error: codeOf(failure) });
        throw failure;
      }
    }
  }

  function translate(
    error: unknown,
    call: HttpCall,
    bodyDeadline: AbortController,
    refreshed: boolean,
    body: { parsed: unknown } | undefined,
  ): unknown {
    if (call.signal?.aborted) return call.signal.reason;
    if (isTimeoutError(error)) {
      return new NetworkError(call.endpoint, 'timeout', { cause: redactTimeoutError(error) });
    }
    if (isHTTPError(error)) {
      return errorFromRefusal({
        endpoint: call.endpoint,
        status: error.response.status,
        body: body?.parsed,
        retryAfterMs: parseRetryAfter(error.response.headers.get('Retry-After')),
        schemaVersion,
        collection: call.collection,
        refreshed,
        cause: redactHttpError(error),
      });
    }
    if (bodyDeadline.signal.aborted) return new NetworkError(call.endpoint, 'timeout', { cause: error });
    if (isIdbSyncError(error)) return error;
    // fetch rejects with a TypeError for DNS, refused and reset connections, and for a body cut off.
    return new NetworkError(call.endpoint, 'unreachable', { cause: error });
  }

  return { send, schemaVersion, logger };
}

function codeOf(error: unknown): string {
  return isIdbSyncError(error) ? error.code : 'ABORTED';
}

function describeFailure(error: unknown): { status?: number; error: string } {
  if (isHTTPError(error)) return { status: error.response.status, error: 'http' };
  if (isTimeoutError(error)) return { error: 'timeout' };
  return { error: 'network' };
}

/** Reads an error answer's body within the time limit; `parsed` is `undefined` when not JSON. */
async function readErrorBody(
  error: HTTPError,
  deadline: AbortController,
  timeoutMs: number,
): Promise<{ parsed: unknown }> {
  try {
    const text = await withDeadline(deadline, timeoutMs, () => error.response.text());
    return { parsed: JSON.parse(text) };
  } catch {
    return { parsed: undefined };
  }
}

async function withDeadline<T>(
  deadline: AbortController,
  timeoutMs: number,
  work: () => Promise<T>,
): Promise<T> {
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  try {
    return await work();
  } finally {
    clearTimeout(timer);
  }
}
