import { LOOKUP_TOKENS_VERSION } from '../query/lookup-tokens.js';
import type {
  CollectionKind,
  CollectionPlan,
  PlanCheckpoint,
  PlanReason,
  PlanUpgradeReport,
  SyncMode,
} from './collection-plan.js';

/** Everything one run's decisions depend on; the planner reads nothing else (no IndexedDB, no network). */
export interface PlanInput {
  /**
   * The synced collections, in the order the app declared them; `derives`: the collection has a
   * `fromServer` transform (its stored records hold derived fields, such as search tokens).
   */
  readonly collections: readonly {
    readonly name: string;
    readonly kind: CollectionKind;
    readonly derives?: boolean;
  }[];
  /** Saved sync state per collection; absent before a collection's first sync. */
  readonly checkpoints: ReadonlyMap<string, PlanCheckpoint>;
  /** Upgrade reports of the database (all of them; the planner picks those newer than each checkpoint). */
  readonly upgradeReports: readonly PlanUpgradeReport[];
  /** What the app asked for in this run. */
  readonly requested?: ReadonlyMap<string, 'red' | 'full'>;
  /** Collections whose checkpoint the server refused with `RESET_REQUIRED`. */
  readonly serverReset?: ReadonlySet<string>;
  /** The database was evicted by the browser (and recreated empty) since the last run. */
  readonly evicted?: boolean;
  /** Collections the server offers; when given, others are skipped. */
  readonly serverCollections?: ReadonlySet<string>;
  /** When given, the run is limited to these collections. */
  readonly only?: ReadonlySet<string>;
  /**
   * Outbox entries per collection that the run's push step could not deliver (offline, server down).
   * Writes made while the run goes on do not count: red sync keeps records with pending writes.
   */
  readonly pendingOutbox?: ReadonlyMap<string, number>;
  /**
   * Collections waiting for their retry delay after failing: skipped unless the run names them (a red
   * or full sync, or `only`).
   */
  readonly backingOff?: ReadonlySet<string>;
}

/**
 * Decides, for each collection, whether this run does a red sync, a full sync, an incremental pull,
 * waits, or skips it, and says why. Pure: the runner gathers the inputs and persists the outcome.
 */
export function planRun(input: PlanInput): CollectionPlan[] {
  return input.collections.map(({ name, kind, derives }) =>
    planCollection(name, kind, derives === true, input),
  );
}

function planCollection(
  collection: string,
  kind: CollectionKind,
  derives: boolean,
  input: PlanInput,
): CollectionPlan {
  const plan = (mode: SyncMode, reasons: PlanReason[], restart = false): CollectionPlan => ({
    collection,
    kind,
    mode,
    reasons,
    restart,
  });
  if (input.only !== undefined && !input.only.has(collection)) return plan('skip', ['not-requested']);
  if (input.serverCollections !== undefined && !input.serverCollections.has(collection)) {
    return plan('skip', ['not-on-server']);
  }

  const checkpoint = input.checkpoints.get(collection);
  const reasons: PlanReason[] = [];
  // Reasons that make a partial snapshot useless: its token is refused, or its data has the old shape.
  let restart = false;
  if (input.evicted === true) reasons.push('evicted');
  if (checkpoint === undefined) reasons.push('first-sync');
  const requested = input.requested?.get(collection) ?? checkpoint?.forced;
  // Backing off: skipped by runs that did not name it (a red or full sync, or `collections`, did).
  if (requested === undefined && input.only === undefined && input.backingOff?.has(collection) === true)
    return plan('skip', ['backing-off']);
  if (requested !== undefined) reasons.push('requested');
  if (
    checkpoint !== undefined &&
    schemaChangedSince(collection, checkpoint.schemaVersion, input.upgradeReports)
  ) {
    reasons.push('schema-changed');
    restart = true;
  }
  // Search tokens made by an older `lookupTokens` (0.1): refetch, so `fromServer` makes them anew.
  if (
    checkpoint !== undefined &&
    kind === 'lookup' &&
    derives &&
    (checkpoint.derivedWith ?? 1) < LOOKUP_TOKENS_VERSION
  ) {
    reasons.push('derivation-changed');
    restart = true;
  }
  if (input.serverReset?.has(collection) === true) {
    reasons.push('server-reset');
    restart = true;
  }
  if (checkpoint?.phase === 'snapshot' && !restart) reasons.push('resume');

  if (reasons.length === 0) return plan('incremental', ['checkpoint']);
  // A lookup store is never reset by red sync, even when the app asks for "red" on all collections:
  // its full sync keeps the old data readable instead.
  const mode = kind === 'transactional' ? 'red' : 'full';
  if (mode === 'red' && (input.pendingOutbox?.get(collection) ?? 0) > 0) {
    return plan('waiting', [...reasons, 'outbox-pending'], restart);
  }
  return plan(mode, reasons, restart);
}

function schemaChangedSince(
  collection: string,
  schemaVersion: number,
  reports: readonly PlanUpgradeReport[],
): boolean {
  return reports.some((r) => r.toVersion > schemaVersion && r.touchedStores.includes(collection));
}
