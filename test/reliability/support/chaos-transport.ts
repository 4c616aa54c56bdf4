import { NetworkError } from '../../../src/errors/network-error.js';
import type { PullRequest, PullResponse, PushRequest, PushResponse } from '../../../src/protocol/messages.js';
import type { SyncTransport } from '../../../src/transport/sync-transport.js';
import { type Abandonment, never } from './abandonment.js';

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
   * The client instance dies like a closed tab at the `at`-th step of the run: any IndexedDB event
   * it awaits, or a request before it is sent or after its answer arrived (see {@link Abandonment}).
   */
  | { readonly kind: 'abandon'; readonly at: number };

/**
 * Fault injection over a real transport, one armed {@link Fault} at a time. Duplicated pushes are
 * checked on the spot: the repeat must answer exactly as the first delivery (same revisions), else
 * a mutation was applied twice and {@link duplicateMismatches} records it.
 */
export class ChaosTransport implements SyncTransport {
  #fault: Fault = { kind: 'none' };
  #calls = 0;
  /** Mutation ids of every push sent (delivered or not). */
  readonly sentMutationIds = new Set<number>();
  /** Pushes whose duplicate delivery answered differently from the first. */
  readonly duplicateMismatches: { first: PushResponse; second: PushResponse }[] = [];

  /** Each call is two steps of `abandonment` (before it is sent, after its answer arrived). */
  constructor(
    readonly inner: SyncTransport,
    readonly abandonment: Abandonment,
  ) {}

  /** True once an `abandon` fault fired: this instance is dead. */
  get abandoned(): boolean {
    return this.abandonment.dead;
  }

  /** Arms `fault` for the requests from now on (request and step numbers count from 0 again). */
  arm(fault: Fault): void {
    this.#fault = fault;
    this.#calls = 0;
    this.abandonment.arm(fault.kind === 'abandon' ? fault.at : Number.POSITIVE_INFINITY);
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
    if (!this.abandonment.step()) return never();
    const at = this.#calls;
    this.#calls += 1;
    const fault = this.#fault;
    if (fault.kind === 'offline') throw new NetworkError(endpoint, 'unreachable');
    if (fault.kind === 'drop' && fault.at === at) throw new NetworkError(endpoint, 'connection-lost');
    const result = await send();
    // A dead page never sees the answer, even though the server may have applied the request.
    if (!this.abandonment.step()) return never();
    if (fault.kind === 'lose' && fault.at === at) throw new NetworkError(endpoint, 'connection-lost');
    return result;
  }
}
