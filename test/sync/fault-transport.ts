import { NetworkError } from '../../src/errors/network-error.js';
import type { PullRequest, PullResponse, PushRequest, PushResponse } from '../../src/protocol/messages.js';
import type { SyncTransport } from '../../src/transport/sync-transport.js';

/**
 * Fault injection over a real transport: every request goes to the real server unless a fault is
 * armed. `offline` fails requests before they leave; `losePushResponses` lets the server apply a
 * push and then throws as if the answer was lost; `failPullAfter` lets that many pulls through and
 * then fails the next ones (an interrupted full sync); `failPullsOf` fails the pulls of some
 * collections only.
 */
export class FaultTransport implements SyncTransport {
  offline = false;
  /** Pushes whose answers are lost after the server applied them. */
  losePushResponses = 0;
  /** Pulls still allowed before pulls fail; `undefined`: no limit. */
  pullBudget: number | undefined;
  readonly pulls: PullRequest[] = [];
  /** Collections whose pulls fail with the error made here (as a server failing for them alone). */
  readonly failPullsOf = new Map<string, () => Error>();
  #holdAfter: number | undefined;
  #held: (() => void) | undefined;
  #release: Promise<void> | undefined;
  #releaseNow: (() => void) | undefined;
  readonly pushes: PushRequest[] = [];

  constructor(readonly inner: SyncTransport) {}

  capabilities(signal?: AbortSignal) {
    this.#checkOnline('/v1/capabilities');
    return this.inner.capabilities(signal);
  }

  async pull(request: PullRequest, signal?: AbortSignal): Promise<PullResponse> {
    this.#checkOnline('/v1/pull');
    if (this.pullBudget !== undefined) {
      if (this.pullBudget <= 0) throw new NetworkError('/v1/pull', 'connection-lost');
      this.pullBudget -= 1;
    }
    const fail = this.failPullsOf.get(request.collection);
    if (fail !== undefined) throw fail();
    this.pulls.push(request);
    if (this.#holdAfter !== undefined && this.pulls.length > this.#holdAfter && this.#release !== undefined) {
      this.#held?.();
      await abortable(this.#release, signal);
    }
    return this.inner.pull(request, signal);
  }

  async push(request: PushRequest, signal?: AbortSignal): Promise<PushResponse> {
    this.#checkOnline('/v1/push');
    this.pushes.push(request);
    const response = await this.inner.push(request, signal);
    if (this.losePushResponses > 0) {
      this.losePushResponses -= 1;
      throw new NetworkError('/v1/push', 'connection-lost');
    }
    return response;
  }

  /**
   * Holds every pull after the next `count` until {@link releasePulls} (a held pull still rejects
   * when its signal aborts, as a real request would). Resolves once a pull is being held.
   */
  holdPullsAfter(count: number): Promise<void> {
    this.#holdAfter = this.pulls.length + count;
    this.#release = new Promise((resolve) => {
      this.#releaseNow = resolve;
    });
    return new Promise((resolve) => {
      this.#held = resolve;
    });
  }

  /** Lets held pulls go on. */
  releasePulls(): void {
    this.#holdAfter = undefined;
    this.#releaseNow?.();
  }

  #checkOnline(endpoint: string): void {
    if (this.offline) throw new NetworkError(endpoint, 'unreachable');
  }
}

function abortable(promise: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return promise;
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    promise.then(resolve, reject);
  });
}
