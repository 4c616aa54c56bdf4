/** How a collection is synced: `transactional` (the app's own data, reset by red sync) or `lookup` (reference data). */
export type CollectionKind = 'transactional' | 'lookup';

/**
 * What a run does with one collection:
 * - `red`: reset of transactional data: the outbox is pushed, the store is cleared and refetched in full;
 * - `full`: full sync of a lookup store, page by page, old data readable until the new set is complete;
 * - `incremental`: pull the changes since the saved checkpoint;
 * - `waiting`: a red sync is due but local writes of the collection could not be pushed yet, so nothing
 *   is dropped; retried on the next run;
 * - `skip`: not synced in this run (see the reasons).
 */
export type SyncMode = 'red' | 'full' | 'incremental' | 'waiting' | 'skip';

/**
 * Why a collection got its mode:
 * - `first-sync`: no checkpoint yet; `resume`: a full or red sync was interrupted and continues from
 *   its last written page; `checkpoint`: an ordinary incremental pull;
 * - `requested`: the app asked (`client.sync({ red })` / `{ full }`); `schema-changed`: an upgrade
 *   report lists the store since its data was synced; `server-reset`: the server refused the
 *   checkpoint (`RESET_REQUIRED`); `evicted`: the browser evicted the database;
 * - `outbox-pending`: local writes of the collection are still unpushed (with `waiting`);
 * - `not-on-server`: the server does not offer the collection; `not-requested`: the run was limited to
 *   other collections; `backing-off`: its last pulls failed and its retry delay has not passed (a run
 *   that names it — a red or full sync, or `collections` — still pulls it).
 */
export type PlanReason =
  | 'first-sync'
  | 'resume'
  | 'checkpoint'
  | 'requested'
  | 'schema-changed'
  | 'derivation-changed'
  | 'server-reset'
  | 'evicted'
  | 'outbox-pending'
  | 'not-on-server'
  | 'not-requested'
  | 'backing-off';

/** The decision for one collection, with every reason that led to it. */
export interface CollectionPlan {
  /** The collection (store) name. */
  readonly collection: string;
  /** `transactional` or `lookup`. */
  readonly kind: CollectionKind;
  /** What the run does with it: `incremental`, `full`, `red`, `waiting` or `skip`. */
  readonly mode: SyncMode;
  /** Every reason that led to the mode (`checkpoint`, `first-sync`, `schema-changed`, …). */
  readonly reasons: readonly PlanReason[];
  /**
   * For `red` and `full`: true when a partially done snapshot must be dropped and started over from the
   * beginning (its token was refused or the schema changed under it); false to continue it.
   */
  readonly restart: boolean;
}

/** What the planner needs to know about a collection's saved sync state. */
export interface PlanCheckpoint {
  /** `snapshot`: a full or red sync is under way; `changes`: in change-log mode. */
  readonly phase: 'snapshot' | 'changes';
  /** Database version the collection's data was (or is being) fully synced under. */
  readonly schemaVersion: number;
  /** A red or full sync the app asked for and that has not started yet (kept across reloads). */
  readonly forced?: 'red' | 'full' | undefined;
  /**
   * The SDK's version of derived fields (`LOOKUP_TOKENS_VERSION`) the collection's data was (or is
   * being) fully synced under; absent before 0.2.0.
   */
  readonly derivedWith?: number | undefined;
}

/** The part of an upversion upgrade report the planner reads. */
export interface PlanUpgradeReport {
  readonly toVersion: number;
  /** Stores whose declaration changed in this upgrade (created, changed, indexes rebuilt, migrated). */
  readonly touchedStores: readonly string[];
}
