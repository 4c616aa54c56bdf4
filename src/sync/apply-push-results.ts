import { type ConnectionSource, type TxScope, transact } from '../idb/transact.js';
import type { Change, MutationResult, RecordValue, RejectReason } from '../protocol/messages.js';
import { OUTBOX_BY_RECORD, OUTBOX_STORE, type OutboxEntry } from './internal-stores.js';
import { withRev } from './outbox-model.js';
import type { SyncChange } from './sync-change.js';

/** A conflict left for the collection's strategy. */
export interface PendingConflict {
  /** The write the server answered with `conflict`. */
  readonly entry: OutboxEntry;
  /** The server's record (`op: 'delete'` for a tombstone, `null` when it has no trace of it). */
  readonly current: Change | null;
  /** The newest local value of the record (`null`: deleted), from a later write queued behind `entry` if any. */
  readonly local: RecordValue | null;
  /** Mutation ids of `entry` and of the later writes of the record it covers, oldest first. */
  readonly chain: readonly number[];
}

/** A local write the server refused; it was rolled back (or superseded by a later local write). */
export interface Rejection {
  readonly entry: OutboxEntry;
  readonly reason: RejectReason;
  readonly message?: string;
}

/** What acknowledging one push did locally. */
export interface PushAck {
  readonly applied: number;
  readonly rejected: Rejection[];
  readonly conflicts: PendingConflict[];
  /** Collections with an `expired` result: the effect is unknown, so they need a full pull. */
  readonly expired: Set<string>;
  /** Records changed by rollbacks. */
  readonly changes: SyncChange[];
}

/**
 * Applies a push response in one transaction: applied writes leave the outbox and their records take
 * the new revision; rejected writes are rolled back to their base (or handed to a later write of the
 * same record); conflicts go to the strategy with the record's newest local value (a later write
 * queued behind the conflicting one included), to be resolved once for the whole chain.
 */
export function applyPushResults(
  connect: ConnectionSource,
  batch: readonly OutboxEntry[],
  results: readonly MutationResult[],
  revField: string,
): Promise<PushAck> {
  const byId = new Map(results.map((r) => [r.mutationId, r]));
  const stores = [...new Set(batch.map((e) => e.store)), OUTBOX_STORE];
  return transact(connect, stores, 'readwrite', (scope) => {
    const ack = {
      applied: 0,
      rejected: [] as Rejection[],
      conflicts: [] as PendingConflict[],
      expired: new Set<string>(),
      changes: [] as SyncChange[],
    };
    for (const entry of batch) {
      const result = byId.get(entry.mutationId);
      if (result === undefined) continue;
      const reads = [
        scope.store(OUTBOX_STORE).index(OUTBOX_BY_RECORD).getAll([entry.store, entry.id]),
        scope.store(entry.store).get(entry.id),
      ] as IDBRequest<unknown>[];
      scope.all(reads, ([recordEntries, stored]) => {
        const later = (recordEntries as OutboxEntry[])
          .filter((e) => e.mutationId > entry.mutationId)
          .sort((a, b) => a.mutationId - b.mutationId);
        ackOne(scope, ack, entry, result, later, stored as Record<string, unknown> | undefined, revField);
      });
    }
    return () => ack;
  });
}

function ackOne(
  scope: TxScope,
  ack: {
    applied: number;
    rejected: Rejection[];
    conflicts: PendingConflict[];
    expired: Set<string>;
    changes: SyncChange[];
  },
  entry: OutboxEntry,
  result: MutationResult,
  later: OutboxEntry[],
  stored: Record<string, unknown> | undefined,
  revField: string,
): void {
  const outbox = scope.store(OUTBOX_STORE);
  const data = scope.store(entry.store);
  const next = later[0];
  outbox.delete(entry.mutationId);

  if (result.status === 'applied') {
    ack.applied += 1;
    // The write that waited for this one now knows its base revision.
    if (next?.dependsOn === entry.mutationId) outbox.put(rebase(next, result.rev, next.base));
    if (stored !== undefined) data.put(withRev(stored, revField, result.rev));
    return;
  }

  if (result.status === 'rejected' && result.reason === 'expired') {
    // Processed once, long ago, with an outcome the server no longer remembers: keep the local value,
    // let a later write conflict with whatever the server has, and refetch the collection.
    ack.expired.add(entry.store);
    if (next?.dependsOn === entry.mutationId) outbox.put(rebase(next, entry.baseRev, entry.base));
    return;
  }

  if (result.status === 'conflict') {
    // Resolved outside the transaction (a strategy may be async) against the newest local value: the
    // entries stay in the outbox until the resolution is written, so a crash just pushes them again.
    outbox.put(entry);
    const latest = later.at(-1) ?? entry;
    ack.conflicts.push({
      entry,
      current: result.current,
      local: latest.op === 'put' ? (latest.value ?? null) : null,
      chain: [entry.mutationId, ...later.map((e) => e.mutationId)],
    });
    return;
  }

  if (next !== undefined) {
    // Never applied: the later local write of the record takes over this write's base.
    ack.rejected.push(rejection(entry, result));
    if (entry.baseRev === null && next.op === 'delete') {
      // A create the server refused, then deleted locally: nothing is left to push or to keep.
      outbox.delete(next.mutationId);
    } else {
      outbox.put(rebase(next, entry.baseRev, entry.base));
    }
    return;
  }

  ack.rejected.push(rejection(entry, result));
  if (entry.base === null) {
    data.delete(entry.id);
    ack.changes.push({ store: entry.store, type: 'delete', key: entry.id });
  } else {
    const restored = withRev(entry.base, revField, entry.baseRev ?? undefined) as RecordValue;
    data.put(restored);
    ack.changes.push({ store: entry.store, type: 'put', key: entry.id });
  }
}

function rebase(entry: OutboxEntry, baseRev: string | null, base: RecordValue | null): OutboxEntry {
  const { dependsOn: _resolved, ...rest } = entry;
  return { ...rest, baseRev, base };
}

function rejection(entry: OutboxEntry, result: Extract<MutationResult, { status: 'rejected' }>): Rejection {
  return result.message === undefined
    ? { entry, reason: result.reason }
    : { entry, reason: result.reason, message: result.message };
}
