import { MutationRejectedError } from '../errors/mutation-rejected-error.js';
import type { Mutation, RecordValue } from '../protocol/messages.js';
import { applyConflictResolution } from './apply-conflict-resolution.js';
import { applyPushResults, type PendingConflict } from './apply-push-results.js';
import type { ConflictStrategy } from './conflict-strategy.js';
import type { OutboxEntry } from './internal-stores.js';
import { readPushBatch } from './read-push-batch.js';
import { encodeId } from './record-key.js';
import { runTransform } from './record-transform.js';
import { resolveConflict } from './resolve-conflict.js';
import type { ResolvedCollection, RunContext } from './run-context.js';
import type { PushSummary } from './run-summary.js';

/** Most push rounds in one run: an app writing without pause cannot keep a run going forever. */
const MAX_ROUNDS = 100;

/** What the push step found besides its counts. */
export interface PushOutcome {
  /** Collections with a mutation result the server no longer remembers: they need a full pull. */
  readonly expired: ReadonlySet<string>;
}

/**
 * Pushes the outbox in batches until it is empty. Each batch is marked as sent before it goes out,
 * and acknowledged in one transaction per batch; conflicts are resolved by each collection's
 * strategy between transactions. A transport failure propagates (the batch stays in the outbox and
 * is pushed again: the server answers repeated mutation ids from its stored results).
 */
export async function pushOutbox(
  ctx: RunContext,
  maxBatch: number,
  summary: PushSummary,
): Promise<PushOutcome> {
  const expired = new Set<string>();
  // Conflicts whose resolver failed in this run: left in the outbox for the next run.
  const skip = new Set<number>();
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const batch = await ctx.clock.time('indexedDb', readPushBatch(ctx.connect, maxBatch, skip));
    if (batch.length === 0) break;
    const request = { clientId: ctx.clientId, mutations: batch.map((e) => toMutation(ctx, e)) };
    const response = await ctx.clock.time('network', ctx.transport.push(request, ctx.signal));
    summary.sent += batch.length;
    const ack = await ctx.clock.time(
      'indexedDb',
      applyPushResults(ctx.connect, batch, response.results, ctx.revField),
    );
    summary.applied += ack.applied;
    summary.rejected += ack.rejected.length;
    for (const store of ack.expired) expired.add(store);
    ctx.emitChanges(ack.changes);
    for (const r of ack.rejected) {
      ctx.emitError(new MutationRejectedError(r.entry.store, r.entry.id, r.entry.mutationId, r.reason));
    }
    for (const raw of ack.conflicts) {
      const collection = ctx.collections.get(raw.entry.store);
      let conflict: PendingConflict;
      let resolution: Awaited<ReturnType<typeof resolveConflict<RecordValue>>>;
      try {
        // The strategy compares local records with the server's in the local shape.
        conflict = inLocalShape(withStampedId(raw, collection?.keyPath ?? 'id'), collection);
        const { entry, current } = conflict;
        const strategy = (collection?.conflicts ?? 'server-wins') as ConflictStrategy<RecordValue>;
        resolution = await resolveConflict<RecordValue>(strategy, {
          store: entry.store,
          id: entry.id,
          local: conflict.local,
          remote: current?.op === 'put' ? current.value : null,
          base: entry.base,
          baseRev: entry.baseRev,
          remoteRev: current?.rev ?? null,
        });
      } catch (error) {
        skip.add(raw.entry.mutationId);
        ctx.emitError(error);
        continue;
      }
      const outcome = await ctx.clock.time(
        'indexedDb',
        applyConflictResolution(ctx.connect, conflict, resolution, ctx.revField, collection?.keyPath ?? 'id'),
      );
      summary.conflicts += 1;
      if (outcome.kind === 'resolved') {
        ctx.emitConflict(outcome.log);
        if (outcome.change !== null) ctx.emitChanges([outcome.change]);
      }
    }
  }
  return { expired };
}

function toMutation(ctx: RunContext, entry: OutboxEntry): Mutation {
  const id = encodeId(entry.id);
  const mutation: Mutation = {
    mutationId: entry.mutationId,
    collection: entry.store,
    id,
    op: entry.op,
    baseRev: entry.baseRev,
  };
  if (entry.op === 'put') {
    const value = entry.value ?? {};
    const toServer = ctx.collections.get(entry.store)?.toServer;
    mutation.value =
      toServer === undefined ? value : runTransform('toServer', toServer, entry.store, id, value);
  }
  return mutation;
}

/** The server's value of a conflict through the collection's `fromServer` transform, when it has one. */
function inLocalShape(
  conflict: PendingConflict,
  collection: ResolvedCollection | undefined,
): PendingConflict {
  const { current, entry } = conflict;
  const fromServer = collection?.fromServer;
  if (current?.op !== 'put' || fromServer === undefined) return conflict;
  const transformed = runTransform('fromServer', fromServer, entry.store, encodeId(entry.id), {
    ...current.value,
  });
  const value = { ...transformed, [collection?.keyPath ?? 'id']: entry.id };
  return { ...conflict, current: { ...current, value } };
}

/** The server's value carries the record key at the key path, as stored records and local values do. */
function withStampedId(conflict: PendingConflict, keyPath: string): PendingConflict {
  const { current, entry } = conflict;
  if (current?.op !== 'put' || current.value[keyPath] === entry.id) return conflict;
  return { ...conflict, current: { ...current, value: { ...current.value, [keyPath]: entry.id } } };
}
