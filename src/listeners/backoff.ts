/** Delays between attempts after failures (reconnects and failed pulls). */
export interface BackoffOptions {
  /** Upper bound of the first delay, in milliseconds. Default `1_000`. */
  readonly initialMs?: number;
  /** Cap of the upper bound, in milliseconds. Default `60_000`. */
  readonly maxMs?: number;
  /**
   * Longest server `Retry-After` honoured, in milliseconds (a longer one is shortened to this, so a
   * misconfigured server cannot silence a client for days). Default `600_000` (10 minutes).
   */
  readonly maxRetryAfterMs?: number;
}

/** {@link BackoffOptions} with defaults applied. */
export interface ResolvedBackoff {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly maxRetryAfterMs: number;
}

/** Applies the defaults of {@link BackoffOptions}. */
export function resolveBackoff(options: BackoffOptions = {}): ResolvedBackoff {
  return {
    initialMs: options.initialMs ?? 1_000,
    maxMs: options.maxMs ?? 60_000,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 600_000,
  };
}

/**
 * "Full jitter" exponential backoff: the delay before attempt `n + 1` after `n` consecutive failures
 * (`n >= 1`) is uniform in `[0, min(maxMs, initialMs × 2^(n−1)))`. Full jitter spreads a crowd of
 * clients that failed together (a server restart) over the whole window instead of retrying in
 * lockstep.
 */
export function backoffDelay(failures: number, backoff: ResolvedBackoff, random: () => number): number {
  const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, failures - 1));
  return Math.floor(random() * ceiling);
}

/** The `retryAfterMs` a transport error carries (the server's `Retry-After`), if any. */
export function retryAfterOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const value = (error as { retryAfterMs?: unknown }).retryAfterMs;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}
