import { isIdbSyncError } from '../errors/idb-sync-error.js';
import { retryAfterOf } from '../transport/retry-policy.js';
import { readCheckpoints, startedSnapshot, updateCheckpoints } from './checkpoints.js';
import type { CollectionPlan } from './collection-plan.js';
import type { CheckpointRecord } from './internal-stores.js';
import { pullCollection } from './pull-collection.js';
import type { RunContext } from './run-context.js';
import { blocksSync, describeFailure } from './run-failure.js';
import type { CollectionSummary } from './run-summary.js';

/**
 * Error codes that concern every collection of a run: the connection, the credentials, the database,
 * the device's storage (a full disk fails every collection alike; the whole run retries).
 */
const RUN_WIDE = new Set([
  'STORAGE_QUOTA_EXCEEDED',
  'NETWORK_ERROR',
  'AUTH_FAILED',
  'DATABASE_CLOSED',
  'DATABASE_VERSION_TOO_OLD',
  'INDEXEDDB_UNAVAILABLE',
  'OPEN_TIMEOUT',
  'UPGRADE_FAILED',
  'SCHEMA_MISMATCH',
]);

/**
 * True when a failure stops the whole run rather than one collection: the network, auth, the
 * database going away, a full disk, a version the server or another tab refuses, a server asking every request
 * to wait (`Retry-After`), or the run being aborted (the client closing, the sync lock lost).
 */
export function concernsRun(error: unknown): boolean {
  if (!isIdbSyncError(error)) return (error as { name?: unknown } | null)?.name === 'AbortError';
  return RUN_WIDE.has(error.code) || blocksSync(error) || retryAfterOf(error) !== undefined;
}

/**
 * Pulls one planned collection (`full`, `red` or `incremental`) into `counts`, on its own: a failure
 * of this collection alone (a bad page, a server error for it, a refused filter…) is reported in
 * `counts` (`outcome: 'error'`, `error`) and on `errors$`, and resolves; failures of the whole run
 * ({@link concernsRun}) reject. A checkpoint the server refuses (`RESET_REQUIRED`) is retried once
 * with the plan `replan` makes. Resolves with the plan that ran; a red or full sync that finished
 * emits a last progress event with `ready: true`. Collections do not share state here, so a
 * scheduler may order (or overlap) them as it likes.
 */
export async function pullIsolated(
  ctx: RunContext,
  plan: CollectionPlan,
  counts: CollectionSummary,
  replan: () => Promise<CollectionPlan | undefined>,
  retrySkipped: boolean,
): Promise<CollectionPlan> {
  let ran = plan;
  try {
    let last: CheckpointRecord | undefined;
    try {
      last = await pullPlanned(ctx, plan, counts, retrySkipped);
    } catch (error) {
      if (!isIdbSyncError(error, 'RESET_REQUIRED')) throw error;
      // The server refused the checkpoint: start over with a snapshot (the push just succeeded).
      const reset = await replan();
      if (reset === undefined) throw error;
      ran = reset;
      Object.assign(counts, { mode: reset.mode, reasons: reset.reasons });
      last = await pullPlanned(ctx, reset, counts, retrySkipped);
    }
    if (last && (ran.mode === 'red' || ran.mode === 'full')) {
      const { done, total } = last;
      ctx.emitProgress({ collection: ran.collection, mode: ran.mode, done, total, ready: true });
    }
    return ran;
  } catch (error) {
    if (concernsRun(error)) throw error;
    counts.outcome = 'error';
    counts.error = describeFailure(error);
    ctx.emitError(error);
    return plan;
  }
}

async function pullPlanned(
  ctx: RunContext,
  p: CollectionPlan,
  counts: CollectionSummary,
  retrySkipped: boolean,
): Promise<CheckpointRecord | undefined> {
  const collection = ctx.collections.get(p.collection)!;
  const checkpoints = await ctx.clock.time('indexedDb', readCheckpoints(ctx.connect));
  let checkpoint = checkpoints.get(p.collection);
  if (p.mode === 'red' || p.mode === 'full') {
    if (p.restart || checkpoint === undefined || checkpoint.phase !== 'snapshot') {
      const rederive = p.reasons.includes('derivation-changed');
      const started = startedSnapshot(p.collection, p.mode, ctx.schemaVersion, rederive);
      await ctx.clock.time(
        'indexedDb',
        updateCheckpoints(ctx.connect, [p.collection], () => started),
      );
      checkpoint = started;
    }
  }
  if (checkpoint === undefined) return undefined;
  return pullCollection(ctx, collection, checkpoint, counts, retrySkipped);
}
