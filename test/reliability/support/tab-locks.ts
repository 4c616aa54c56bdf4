import type { LockManagerLike } from '../../../src/sync/sync-lock.js';
import type { Abandonment } from './abandonment.js';

interface Waiter {
  readonly tab: Abandonment;
  readonly grant: () => void;
}

/**
 * Web Locks for the tabs of one origin, in memory (Node has no `navigator.locks`). As in a browser,
 * the locks a tab holds are released when it dies, and what it was waiting for is never granted.
 */
export class OriginLocks {
  readonly #held = new Map<string, { readonly tab: Abandonment }>();
  readonly #waiting = new Map<string, Waiter[]>();

  /** The lock manager of one tab (one client instance). */
  forTab(tab: Abandonment): LockManagerLike {
    void tab.killed.then(() => this.#died(tab));
    return { request: (name, options, callback) => this.#request(tab, name, options, callback) };
  }

  async #request<T>(
    tab: Abandonment,
    name: string,
    options: { signal?: AbortSignal; ifAvailable?: boolean },
    callback: (lock: unknown) => Promise<T>,
  ): Promise<T> {
    options.signal?.throwIfAborted();
    if (this.#held.has(name)) {
      if (options.ifAvailable) return callback(null);
      await this.#wait(tab, name, options.signal);
    }
    const grant = { tab };
    this.#held.set(name, grant);
    try {
      return await callback({ name });
    } finally {
      if (this.#held.get(name) === grant) this.#release(name);
    }
  }

  #wait(tab: Abandonment, name: string, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const queue = this.#waiting.get(name) ?? [];
      this.#waiting.set(name, queue);
      const abort = () => {
        queue.splice(queue.indexOf(waiter), 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        tab,
        grant: () => {
          signal?.removeEventListener('abort', abort);
          resolve();
        },
      };
      queue.push(waiter);
      signal?.addEventListener('abort', abort, { once: true });
    });
  }

  /** Hands the lock to the next live waiter (it takes it before anything else can run). */
  #release(name: string): void {
    this.#held.delete(name);
    const queue = this.#waiting.get(name) ?? [];
    const next = queue.shift();
    if (next === undefined) return;
    this.#held.set(name, { tab: next.tab }); // reserved until the waiter's request takes it
    next.grant();
  }

  #died(tab: Abandonment): void {
    for (const [name, queue] of this.#waiting) {
      this.#waiting.set(
        name,
        queue.filter((w) => w.tab !== tab),
      );
    }
    for (const [name, grant] of [...this.#held]) if (grant.tab === tab) this.#release(name);
  }
}
