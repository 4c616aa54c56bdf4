/**
 * One direction of a shaped link: a token bucket refilled at `bytesPerMs`, holding at most
 * `depthBytes` (0: no burst, so every byte waits for its own credit and the link serializes bytes at
 * its rate, as a real bottleneck does). A send that finds too few tokens borrows them: every later
 * send, on any connection of the link, queues behind it (one FIFO link, not one per connection).
 */
export class TokenBucket {
  #tokens: number;
  #at: number;

  constructor(
    readonly bytesPerMs: number,
    readonly depthBytes: number,
    now: number,
  ) {
    if (!(bytesPerMs > 0)) throw new Error(`a token bucket needs a positive rate, not ${bytesPerMs}`);
    this.#tokens = depthBytes;
    this.#at = now;
  }

  /**
   * Takes `bytes` handed to the link at `now` (the caller's clock, never going back); returns when
   * their last byte has left: `now` if the bucket held enough tokens, else when the debt is repaid.
   */
  take(bytes: number, now: number): number {
    const t = Math.max(now, this.#at);
    this.#tokens = Math.min(this.depthBytes, this.#tokens + (t - this.#at) * this.bytesPerMs);
    this.#at = t;
    this.#tokens -= bytes;
    return t + Math.max(0, -this.#tokens) / this.bytesPerMs;
  }
}
