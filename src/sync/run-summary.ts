import type { CollectionPlan } from './collection-plan.js';

/** Per-collection counts of one run. */
export interface CollectionSummary {
  /** The collection (store) name. */
  readonly collection: string;
  /** How it was synced in this run. */
  readonly mode: CollectionPlan['mode'];
  /** Why (see {@link CollectionPlan}). */
  readonly reasons: CollectionPlan['reasons'];
  /** Records received from the server. */
  fetch: number;
  /** Records written locally from the server's data. */
  change: number;
  /** Records deleted locally. */
  delete: number;
  /** Received records left alone: unchanged (same revision) or with pending local writes. */
  unchanged: number;
  /**
   * Records put in the skipped-records log by this run (records it could not store, and stored
   * records a unique clash evicted): see `client.skippedRecords()`.
   */
  skipped: number;
  /** Pages pulled. */
  pages: number;
  /** Milliseconds from the run's start (`startedAt`) until this collection's pull finished; absent when it failed. */
  readyMs?: number;
  /**
   * `error`: this collection's pull failed on its own (see `error`); the run went on with the other
   * collections, and the client retries this one after its own backoff.
   */
  outcome: 'ok' | 'error';
  /** With `outcome: 'error'`: the collection's failure, its code and message (no record contents). */
  error?: { readonly code: string; readonly message: string };
}

/** Push counts of one run. */
export interface PushSummary {
  /** Mutations sent (a retried batch counts again). */
  sent: number;
  /** Mutations the server applied. */
  applied: number;
  /** Mutations that met a newer server revision (resolved and logged). */
  conflicts: number;
  /** Mutations the server refused for good (rolled back). */
  rejected: number;
}

/**
 * Where the run's time went, in milliseconds. `network` is time spent waiting for the server (pages
 * fetched while the previous one was written do not count twice); `indexedDb` is time in
 * transactions (also while another collection waits for the server); `other` is the rest
 * (planning, resolvers, scheduling).
 */
export interface RunTimings {
  /** Waiting for the server. */
  network: number;
  /** In IndexedDB transactions. */
  indexedDb: number;
  /** The rest: planning, resolvers, scheduling. */
  other: number;
  /** The whole run. */
  total: number;
}

/** How a run ended. */
export type RunOutcome = 'ok' | 'waiting' | 'error';

/** Summary of one run, emitted on `runs$` and to the logger. */
export interface RunSummary {
  /** Increases per client. */
  readonly runId: number;
  /** Epoch ms. */
  readonly startedAt: number;
  /** `ok`; `waiting` (offline, or a red sync waits for unpushed writes); `error` (see `error`). */
  outcome: RunOutcome;
  /** What was decided for each collection, and why. */
  readonly plans: CollectionPlan[];
  /** Counts per collection. */
  readonly collections: CollectionSummary[];
  /** Counts of the push. */
  readonly push: PushSummary;
  /** Where the time went. */
  readonly timings: RunTimings;
  /**
   * The failure, for `waiting` (network) and `error` outcomes: its code and message (no record
   * contents). When only some collections failed, the first one's (each is in `collections`).
   */
  error?: { readonly code: string; readonly message: string };
}

/**
 * Measures network and IndexedDB time of one run. Waits overlap (the next page is fetched while one
 * is written): a moment with a transaction under way counts as `indexedDb`, else one waiting for
 * the server as `network`, so the three parts add up to `total`.
 */
export class RunClock {
  readonly #start = performance.now();
  #at = this.#start;
  readonly #active = { network: 0, indexedDb: 0 };
  readonly timings: RunTimings = { network: 0, indexedDb: 0, other: 0, total: 0 };

  /** Adds the time since the last change to what was busy, then counts `kind` in (1) or out (-1). */
  #tick(kind: 'network' | 'indexedDb', change: number): void {
    const now = performance.now();
    const a = this.#active;
    const busy = a.indexedDb ? 'indexedDb' : a.network ? 'network' : undefined;
    if (busy) this.timings[busy] += now - this.#at;
    this.#at = now;
    a[kind] += change;
  }

  /** Awaits `work`, adding the time waited to `kind`. */
  async time<T>(kind: 'network' | 'indexedDb', work: Promise<T>): Promise<T> {
    this.#tick(kind, 1);
    try {
      return await work;
    } finally {
      this.#tick(kind, -1);
    }
  }

  finish(): RunTimings {
    const t = this.timings;
    t.total = performance.now() - this.#start;
    t.other = Math.max(0, t.total - t.network - t.indexedDb);
    for (const k of ['network', 'indexedDb', 'other', 'total'] as const) t[k] = Math.round(t[k] * 10) / 10;
    return t;
  }
}
