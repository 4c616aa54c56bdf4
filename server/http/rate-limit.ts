import { createHash } from 'node:crypto';
import { ProtocolError } from '../sync/protocol-error.js';

/** Per-token rate limit: a token bucket of `burst` requests refilled at `requestsPerSecond`. */
export interface RateLimitOptions {
  /** Sustained requests per second per token. */
  requestsPerSecond: number;
  /** Requests a token may make at once after being idle. Default: 2 × `requestsPerSecond` (at least 1). */
  burst?: number;
}

/** Buckets kept at most; the least recently used go first (a flood of made-up tokens cannot grow memory). */
const MAX_BUCKETS = 100_000;

/**
 * Token buckets keyed by a hash of the bearer token (the token itself is never kept). In memory,
 * per server instance: with N instances behind a load balancer a token gets up to N times the rate.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #rate: number;
  readonly #burst: number;

  constructor(options: RateLimitOptions) {
    this.#rate = options.requestsPerSecond;
    this.#burst = options.burst ?? Math.max(1, Math.ceil(2 * options.requestsPerSecond));
  }

  /** Takes one request for `token`, or throws `429 RATE_LIMITED` with `details.retryAfterMs`. */
  take(token: string | undefined, now = Date.now()): void {
    const key = createHash('sha256')
      .update(token ?? '')
      .digest('base64url')
      .slice(0, 22);
    const bucket = this.#buckets.get(key) ?? { tokens: this.#burst, at: now };
    this.#buckets.delete(key);
    bucket.tokens = Math.min(this.#burst, bucket.tokens + ((now - bucket.at) / 1000) * this.#rate);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > MAX_BUCKETS) this.#buckets.delete(this.#buckets.keys().next().value!);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return;
    }
    const retryAfterMs = Math.ceil(((1 - bucket.tokens) / this.#rate) * 1000);
    throw new ProtocolError('RATE_LIMITED', 'Too many requests for this token; retry after Retry-After', {
      retryAfterMs,
    });
  }
}
