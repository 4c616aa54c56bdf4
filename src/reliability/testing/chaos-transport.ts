import { NetworkError } from '../../errors/network-error.js';
import type { PullRequest, PullResponse, PushRequest, PushResponse } from '../../protocol/messages.js';
import type { SyncTransport } from '../../transport/sync-transport.js';

/** A fault armed on a {@link ChaosTransport} for the next sync run. */
export type Fault =
  | { readonly kind: 'none' }
  /** Every request fails before it leaves. */
  | { readonly kind: 'offline' }
  /** The `at`-th request (0-based) of the run is dropped before reaching the server. */
  | { readonly kind: 'drop'; readonly at: number }
  /** The `at`-th request reaches the server (a push is applied) and its answer is lost. */
  | { readonly kind: 'lose'; readonly at: number }
  /** Every push is delivered twice; the client sees the second answer. */
  | { readonly kind: 'duplicate' }
  /**
   * The client dies at the `at`-th request: `before` it is sent, or `after` the server answered
   * (the answer is never seen). Every later request of this instance fails too.
   */
  | { readonly kind: 'abandon'; readonly at: number; readonly when: 'before' | 'after' };

/**
 * Fault injection over a real transport, one armed {@link Fault} at a time. Duplicated pushes are
 * checked on the spot: the repeat must answer exactly as the first delivery (same revisions), else
 * a mutation was applied twice and {@link duplicateMismatches} records it.
 */
export class ChaosTransport implements SyncTransport {
  #fault: Fault = { kind: 'none' };
  #calls = 0;
  /** True once an `abandon` fault fired: this instance is dead. */
  abandoned = false;
  /** Mutation ids of every push sent (delivered or not). */
  readonly sentMutationIds = new Set<number>();
  /** Pushes whose duplicate delivery answered differently from the first. */
  readonly duplicateMismatches: { first: PushResponse; second: PushResponse }[] = [];

  constructor(readonly inner: SyncTransport) {}

  /** Arms `fault` for the requests from now on (request numbers count from 0 again). */
  arm(fault: Fault): void {
    this.#fault = fault;
    this.#calls = 0;
  }

  capabilities(signal?: AbortSignal) {
    return this.#call('/v1/capabilities', () => this.inner.capabilities(signal));
  }

  pull(request: PullRequest, signal?: AbortSignal): Promise<PullResponse> {
    return this.#call('/v1/pull', () => this.inner.pull(request, signal));
  }

  push(request: PushRequest, signal?: AbortSignal): Promise<PushResponse> {
    for (const m of request.mutations) this.sentMutationIds.add(m.mutationId);
    return this.#call('/v1/push', async () => {
      const first = await this.inner.push(request, signal);
      if (this.#fault.kind !== 'duplicate') return first;
      const second = await this.inner.push(request, signal);
      if (JSON.stringify(first) !== JSON.stringify(second)) this.duplicateMismatches.push({ first, second });
      return second;
    });
  }

  async #call<T>(endpoint: string, send: () => Promise<T>): Promise<T> {
    if (this.abandoned) throw new NetworkError(endpoint, 'connection-lost');
    const at = this.#calls;
    this.#calls += 1;
    const fault = this.#fault;
    if (fault.kind === 'offline') throw new NetworkError(endpoint, 'unreachable');
    if (fault.kind === 'drop' && fault.at === at) throw new NetworkError(endpoint, 'connection-lost');
    if (fault.kind === 'abandon' && fault.at === at && fault.when === 'before') {
      this.abandoned = true;
      throw new NetworkError(endpoint, 'connection-lost');
    }
    const result = await send();
    if (fault.kind === 'lose' && fault.at === at) throw new NetworkError(endpoint, 'connection-lost');
    if (fault.kind === 'abandon' && fault.at === at) {
      this.abandoned = true;
      throw new NetworkError(endpoint, 'connection-lost');
    }
    return result;
  }
}
