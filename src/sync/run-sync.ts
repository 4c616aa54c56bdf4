import { isIdbSyncError } from '../errors/idb-sync-error.js';

import type { Capabilities } from '../protocol/messages.js';
import { readCheckpoints, updateCheckpoints } from './checkpoints.js';
import { saveCapabilities } from './client-state.js';
import type { CollectionPlan, PlanUpgradeReport } from './collection-plan.js';
import type { CheckpointRecord } from './internal-stores.js';
import { planRun } from './plan-run.js';
import { pullIsolated } from './pull-isolated.js';
import { pushOutbox } from './push-outbox.js';
import { countOutbox } from './read-push-batch.js';
import type { RunContext } from './run-context.js';
import { describeFailure } from './run-failure.js';
import type { CollectionSummary, RunSummary } from './run-summary.js';

/**
 * A run's summary, and the error that failed it (if any) for the client's status and retry
 * decisions: `failure` stopped the whole run; `failed` collections failed on their own (the others
 * were pulled).
 */
export interface RunResult {
  readonly summary: RunSummary;
  readonly failure: unknown;
  readonly failed?: ReadonlyMap<string, unknown>;
}

/** What the app (or a trigger) asked of a run. */
export interface RunRequest {
  /** Collections to red-sync (transactional) or fully sync (lookup) whatever their state. */
  readonly red: ReadonlySet<string>;
  readonly full: ReadonlySet<string>;
  /** When given, only these collections are pulled (the outbox is always pushed whole). */
  readonly only?: ReadonlySet<string>;
  /** Collections whose skipped records are all retried (see `sync({ retrySkipped })`). */
  readonly retrySkipped?: ReadonlySet<string>;
}

/** Inputs of a run that come from outside IndexedDB and the server. */
export interface RunEnvironment {
  readonly runId: number;
  /** Upgrade reports of the database, reduced to the stores each touched. */
  upgradeReports(): Promise<readonly PlanUpgradeReport[]>;
  /** True when the database was evicted since the last run. */
  readonly evicted: boolean;
  /** Largest push batch the app allows (the server's limit applies too). */
  readonly maxPushBatch: number;
  /** Collections that failed lately and wait for their retry delay: skipped unless asked red or full. */
  readonly backingOff?: ReadonlySet<string>;
  /** The capabilities a past run kept (see {@link cachedCapabilities}). */
  readonly capabilities?: Capabilities | undefined;
  onPhase(phase: 'pushing' | 'pulling'): void;
}

/**
 * One sync run: push the outbox, plan each collection (red, full, incremental, waiting, skip), then
 * pull. Never throws: the outcome and the failure are in the result, and every error also goes to
 * `ctx.emitError`.
 */
export async function runSync(
  runCtx: RunContext,
  request: RunRequest,
  env: RunEnvironment,
): Promise<RunResult> {
  const startedAt = Date.now();
  // Writes made while a red sync had cleared their records wait for the pull that reaches them.
  let released = 0;
  const ctx: RunContext = {
    ...runCtx,
    releasedWrites: (count) => {
      released += count;
      runCtx.releasedWrites(count);
    },
  };
  const push = { sent: 0, applied: 0, conflicts: 0, rejected: 0 };
  const summary: RunSummary = {
    runId: env.runId,
    startedAt,
    outcome: 'ok',
    plans: [],
    collections: [],
    push,
    timings: ctx.clock.timings,
  };
  let failure: unknown;
  let fetched: Capabilities | undefined;
  const failed = new Map<string, unknown>();
  const fail = (error: unknown, outcome: 'waiting' | 'error') => {
    failure = error;
    summary.outcome = outcome;
    summary.error = describeFailure(error);
    ctx.emitError(error);
  };

  const requested = new Map<string, 'red' | 'full'>();
  for (const c of request.full) requested.set(c, 'full');
  for (const c of request.red) requested.set(c, 'red');
  try {
    // The app's requests are kept before anything else, so that going offline does not lose them.
    await persistRequests(ctx, requested);
    // 1. Push. Pulls wait for a successful push: a pull must not see a record whose write may have
    //    been applied on the server without this client knowing its new revision yet.
    let serverCollections: Set<string> | undefined;
    let pushFailed: unknown;
    let maxBatch = Math.max(1, env.maxPushBatch);
    try {
      const cached = cachedCapabilities(env.capabilities, ctx);
      const capabilities =
        cached ?? (await ctx.clock.time('network', ctx.transport.capabilities(ctx.signal)));
      if (!cached) fetched = capabilities;
      serverCollections = new Set(capabilities.collections.map((c) => c.name));
      maxBatch = Math.max(1, Math.min(env.maxPushBatch, capabilities.maxMutationsPerPush));
      if ((capabilities.client?.access ?? 'read-write') === 'read-write') {
        env.onPhase('pushing');
        const outcome = await pushOutbox(ctx, maxBatch, push);
        for (const c of outcome.expired) if (!requested.has(c)) requested.set(c, 'full');
      }
    } catch (error) {
      pushFailed = error;
    }
    const readOnly = isIdbSyncError(pushFailed, 'UPGRADE_REQUIRED') && pushFailed.access === 'read-only';
    if (pushFailed !== undefined && !readOnly) {
      // Nothing is pulled, but the plan still says what waits (a red sync with unpushed writes).
      const pending = await ctx.clock.time('indexedDb', countOutbox(ctx.connect));
      await persistRequests(ctx, requested);
      summary.plans.push(
        ...(await plan(ctx, request, env, requested, new Set(), serverCollections, pending)),
      );
      fail(pushFailed, isIdbSyncError(pushFailed, 'NETWORK_ERROR') ? 'waiting' : 'error');
      return { summary, failure };
    }
    if (readOnly) fail(pushFailed, 'error');

    // 2. Plan and pull.
    env.onPhase('pulling');
    await persistRequests(ctx, requested);
    const sizes = new Map<string, number>();
    const plans = await plan(ctx, request, env, requested, new Set(), serverCollections, new Map(), sizes);
    summary.plans.push(...plans);
    if (summary.outcome === 'ok' && plans.some((p) => p.mode === 'waiting')) summary.outcome = 'waiting';
    // Each collection on its own: one that fails does not stop the others (see pullIsolated).
    const queue = plans
      .filter((p) => p.mode !== 'skip' && p.mode !== 'waiting' && ctx.collections.has(p.collection))
      .sort(pullOrder(ctx, sizes));
    // One pull at a time, in that order: the app's own collections are in before a large lookup
    // starts. A failure of the whole run (pullIsolated rejects) stops the run here.
    for (const p of queue) {
      const c = collectionSummary(p);
      summary.collections.push(c);
      const replan = async () =>
        (await plan(ctx, request, env, requested, new Set([p.collection]), serverCollections, new Map()))[0];
      const ran = await pullIsolated(ctx, p, c, replan, request.retrySkipped?.has(p.collection) === true);
      if (ran !== p) summary.plans[summary.plans.indexOf(p)] = ran;
      if (c.error === undefined) c.readyMs = Date.now() - startedAt;
      else failed.set(p.collection, c.error);
    }
    // 3. Push what the pulls released, in the same run.
    if (released > 0 && !readOnly) {
      env.onPhase('pushing');
      await pushOutbox(ctx, maxBatch, push);
    }
  } catch (error) {
    fail(error, isIdbSyncError(error, 'NETWORK_ERROR') ? 'waiting' : 'error');
  }
  const [first] = summary.collections.filter((c) => c.error !== undefined);
  if (failure === undefined && first !== undefined) {
    summary.outcome = 'error';
    summary.error = first.error!;
  }
  // A failure may come from a server that changed (a lowered limit, a collection gone, a version
  // refused): the next run asks again. A cache that cannot be written only costs that request.
  const failedRun = summary.outcome === 'error';
  if (failedRun ? env.capabilities : fetched) {
    await saveCapabilities(ctx.connect, failedRun ? undefined : fetched).catch(() => undefined);
  }
  return { summary, failure, failed };
}

async function plan(
  ctx: RunContext,
  request: RunRequest,
  env: RunEnvironment,
  requested: ReadonlyMap<string, 'red' | 'full'>,
  serverReset: ReadonlySet<string>,
  serverCollections: ReadonlySet<string> | undefined,
  pendingOutbox: ReadonlyMap<string, number>,
  sizes?: Map<string, number>,
): Promise<CollectionPlan[]> {
  const [checkpoints, upgradeReports] = await Promise.all([
    ctx.clock.time('indexedDb', readCheckpoints(ctx.connect)),
    env.upgradeReports(),
  ]);
  for (const [c, checkpoint] of checkpoints) sizes?.set(c, checkpoint.total ?? checkpoint.done);
  const collections = [...ctx.collections.values()]
    .filter((c) => serverReset.size === 0 || serverReset.has(c.name))
    .map((c) => ({ name: c.name, kind: c.kind, derives: c.fromServer !== undefined }));
  return planRun({
    collections,
    checkpoints,
    upgradeReports,
    requested,
    serverReset,
    evicted: env.evicted,
    ...(serverCollections === undefined ? {} : { serverCollections }),
    ...(request.only === undefined ? {} : { only: request.only }),
    ...(env.backingOff === undefined ? {} : { backingOff: env.backingOff }),
    pendingOutbox,
  });
}

/** Keeps app requests for red/full syncs in the checkpoints until the snapshot starts (survives reloads). */
async function persistRequests(
  ctx: RunContext,
  requested: ReadonlyMap<string, 'red' | 'full'>,
): Promise<void> {
  const names = [...requested.keys()].filter((c) => ctx.collections.has(c));
  if (names.length === 0) return;
  await ctx.clock.time(
    'indexedDb',
    updateCheckpoints(ctx.connect, names, (c, current): CheckpointRecord | undefined =>
      current === undefined ? undefined : { ...current, forced: requested.get(c)!, updatedAt: Date.now() },
    ),
  );
}

/**
 * Pull order: higher `priority` first, then transactional before lookup, then the smaller known
 * size (records of the last snapshot; unknown last). The sort is stable: ties keep the declared order.
 */
function pullOrder(ctx: RunContext, sizes: ReadonlyMap<string, number>) {
  const rank = (p: CollectionPlan) =>
    -ctx.collections.get(p.collection)!.priority * 4e12 +
    (p.kind === 'lookup' ? 2e12 : 0) +
    Math.min(sizes.get(p.collection) ?? 1e12, 1e12);
  return (a: CollectionPlan, b: CollectionPlan) => rank(a) - rank(b);
}

/**
 * The capabilities a past run fetched, when this run may use them instead of asking: read-write for
 * this client, and listing every synced collection (a collection the server does not offer yet is
 * looked for on each run). What else a run uses of them, a server that changed it refuses (a push
 * limit, a collection, a schema version): the run fails, and forgets them.
 */
function cachedCapabilities(cached: Capabilities | undefined, ctx: RunContext): Capabilities | undefined {
  return (cached?.client?.access ?? 'read-write') === 'read-write' &&
    [...ctx.collections.keys()].every((c) => cached?.collections.some((info) => info.name === c))
    ? cached
    : undefined;
}

function collectionSummary(p: CollectionPlan): CollectionSummary {
  return {
    collection: p.collection,
    mode: p.mode,
    reasons: p.reasons,
    fetch: 0,
    change: 0,
    delete: 0,
    unchanged: 0,
    skipped: 0,
    pages: 0,
    outcome: 'ok',
  };
}
