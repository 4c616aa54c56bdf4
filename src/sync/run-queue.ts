import type { RunSummary } from './run-summary.js';
import type { RunRequest } from './run-sync.js';
import type { SyncRequestOptions } from './sync-client-api.js';

interface Waiter {
  resolve(summary: RunSummary): void;
  reject(error: unknown): void;
}

interface QueuedRun {
  red: Set<string>;
  full: Set<string>;
  retry: Set<string>;
  /** `undefined`: all collections. */
  only: Set<string> | undefined;
  waiters: Waiter[];
}

/**
 * Runs one sync at a time. Requests made while a run is under way are merged into the next run
 * (their red/full sets and collections add up), and each caller gets the summary of the run that
 * served it.
 */
export class RunQueue {
  #busy = false;
  /** `whenIdle()` callers waiting for the queue to be idle. */
  #idle: (() => void)[] = [];
  #queued: QueuedRun | undefined;
  #draining: Promise<void> | undefined;
  #stopped = false;

  /** Runs one merged request; rejects only when the run could not take place at all. */
  readonly #execute: (request: RunRequest) => Promise<RunSummary>;
  /** Every synced collection, for `true` in `red`/`full`. */
  readonly #collections: readonly string[];

  constructor(execute: (request: RunRequest) => Promise<RunSummary>, collections: readonly string[]) {
    this.#execute = execute;
    this.#collections = collections;
  }

  /** Queues a run; `waiter` (from `sync()`) learns its outcome. */
  request(options: SyncRequestOptions, waiter?: Waiter): void {
    const pick = (v: boolean | readonly string[] | undefined) =>
      v === true ? this.#collections : v === false || v === undefined ? [] : v;
    const queued = this.#queued ?? {
      red: new Set(),
      full: new Set(),
      retry: new Set(),
      only: new Set(),
      waiters: [],
    };
    this.#queued = queued;
    for (const c of pick(options.red)) queued.red.add(c);
    for (const c of pick(options.full)) queued.full.add(c);
    for (const c of pick(options.retrySkipped)) queued.retry.add(c);
    if (options.collections === undefined) queued.only = undefined;
    else if (queued.only !== undefined) for (const c of options.collections) queued.only.add(c);
    if (waiter !== undefined) queued.waiters.push(waiter);
    this.#busy = true;
    if (this.#draining === undefined) this.#startDrain();
  }

  /**
   * Runs the queued runs one after the other. A run queued after the loop ended but before it
   * settled is started as it was asked (its `collections` kept, not widened by an empty request).
   */
  #startDrain(): void {
    this.#draining = this.#drain().finally(() => {
      this.#draining = undefined;
      this.#setBusy(this.#queued !== undefined);
      if (this.#queued !== undefined && !this.#stopped) this.#startDrain();
    });
  }

  /** Resolves when no run is under way or queued. */
  whenIdle(): Promise<void> {
    return this.#busy ? new Promise((resolve) => this.#idle.push(resolve)) : Promise.resolve();
  }

  /** Stops taking runs; resolves once the run under way (if any) has ended. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#draining?.catch(() => undefined);
    this.#setBusy(false);
  }

  #setBusy(busy: boolean): void {
    this.#busy = busy;
    if (busy) return;
    const idle = this.#idle;
    this.#idle = [];
    for (const resolve of idle) resolve();
  }

  async #drain(): Promise<void> {
    while (this.#queued !== undefined) {
      const run = this.#queued;
      this.#queued = undefined;
      const request: RunRequest = {
        red: run.red,
        full: run.full,
        retrySkipped: run.retry,
        ...(run.only === undefined ? {} : { only: run.only }),
      };
      try {
        const summary = await this.#execute(request);
        for (const w of run.waiters) w.resolve(summary);
      } catch (error) {
        for (const w of run.waiters) w.reject(error);
      }
    }
  }
}
