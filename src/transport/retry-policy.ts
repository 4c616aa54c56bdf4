/**
 * The one retry policy of the SDK, used by HTTP and WebSocket requests, listener reconnects and
 * the sync client's retries of failed runs. Every field is optional; the defaults are `RETRY_DEFAULTS` (each field says its own).
 *
 * Delays use "full jitter": after `n` consecutive failures the next attempt waits a uniform random
 * time in `[0, min(maxMs, initialMs × 2^(n−1)))`, so a crowd of clients that failed together (a
 * server restart) spreads over the whole window instead of retrying in lockstep. A server's
 * `Retry-After` (429/503, carried as `retryAfterMs` on the error) is a floor on that delay, up to
 * `maxRetryAfterMs`.
 */
export interface RetryOptions {
  /** Upper bound of the first delay, in milliseconds. Default `1_000`. */
  readonly initialMs?: number;
  /** Cap of the upper bound as it doubles, in milliseconds. Default `60_000`. */
  readonly maxMs?: number;
  /**
   * Longest server `Retry-After` honoured, in milliseconds (a longer one is shortened to this, so a
   * misconfigured server cannot silence a client for days). Default `600_000` (10 minutes).
   */
  readonly maxRetryAfterMs?: number;
  /**
   * Retries inside one request (HTTP or WebSocket) for timeouts, lost connections and statuses 408,
   * 429, 500, 502, 503, 504, before the request fails and the run (or the listener) retries later.
   * All requests are retried, `push` included: the server applies each `mutationId` once and
   * answers a repeat from its stored result. Default `2`; `0` disables them.
   */
  readonly requestRetries?: number;
  /**
   * Longest `Retry-After` a request waits out itself, in milliseconds. A longer one fails the
   * request at once with `retryAfterMs` on its error, so the caller waits without holding a request
   * open. Default `10_000`.
   */
  readonly requestRetryAfterMs?: number;
}

/** {@link RetryOptions} with every default applied. */
export type RetryPolicy = Required<RetryOptions>;

/** The defaults of {@link RetryOptions}. */
export const RETRY_DEFAULTS: RetryPolicy = Object.freeze({
  initialMs: 1_000,
  maxMs: 60_000,
  maxRetryAfterMs: 600_000,
  requestRetries: 2,
  requestRetryAfterMs: 10_000,
});

/** Applies the defaults of {@link RetryOptions}. */
export function resolveRetry(options: RetryOptions = {}): RetryPolicy {
  // Every field: the option when given, else its default.
  const policy: Record<string, number> = { ...RETRY_DEFAULTS };
  for (const field in policy) policy[field] = options[field as keyof RetryOptions] ?? policy[field]!;
  return policy as RetryPolicy;
}

/**
 * The full-jitter delay before the next attempt after `failures` consecutive failures
 * (`failures >= 1`): uniform in `[0, min(maxMs, initialMs × 2^(failures−1)))`.
 */
export function backoffDelay(
  failures: number,
  policy: Pick<RetryPolicy, 'initialMs' | 'maxMs'>,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, failures - 1));
  return Math.floor(random() * ceiling);
}

/**
 * The delay before the next attempt after `failures` consecutive failures, the last one `error`:
 * the full-jitter {@link backoffDelay}, but at least the error's `Retry-After` (capped at
 * `maxRetryAfterMs`).
 */
export function retryDelay(
  failures: number,
  error: unknown,
  policy: Pick<RetryPolicy, 'initialMs' | 'maxMs' | 'maxRetryAfterMs'>,
  random: () => number = Math.random,
): number {
  const after = retryAfterOf(error);
  const floor = after === undefined ? 0 : Math.min(after, policy.maxRetryAfterMs);
  return Math.max(backoffDelay(failures, policy, random), floor);
}

/** The `retryAfterMs` a transport error carries (the server's `Retry-After`), if any. */
export function retryAfterOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const value = (error as { retryAfterMs?: unknown }).retryAfterMs;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}
