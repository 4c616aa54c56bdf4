import { type ConnectionSource, transact } from '../idb/transact.js';
import { OUTBOX_STORE, type OutboxEntry, SYNC_STATE_KEYS, SYNC_STATE_STORE } from './internal-stores.js';
import { selectBatch } from './outbox-model.js';

/**
 * Reads the next batch to push and, in the same transaction, raises the "sent up to" marker to its
 * last mutation id before anything goes on the wire. From then on a local write to one of its records
 * queues behind it instead of coalescing into it: the server may apply the batch even when its
 * response never arrives.
 */
export function readPushBatch(
  connect: ConnectionSource,
  max: number,
  skip: ReadonlySet<number>,
): Promise<OutboxEntry[]> {
  return transact(connect, [OUTBOX_STORE, SYNC_STATE_STORE], 'readwrite', (scope) => {
    let batch: OutboxEntry[] = [];
    const state = scope.store(SYNC_STATE_STORE);
    // Entries to skip are few (failed resolvers of this run); read a little more to fill the batch.
    // A key range rather than `null`: indexeddbshim answers an unbounded getAll in insertion order
    // once a record was overwritten, where IndexedDB promises key order (mutation id order here).
    const reads = [
      scope.store(OUTBOX_STORE).getAll(IDBKeyRange.lowerBound(0), max + skip.size),
      state.get(SYNC_STATE_KEYS.outbox),
    ];
    scope.all(reads as IDBRequest<unknown>[], ([entries, marker]) => {
      batch = selectBatch(
        (entries as OutboxEntry[])
          .filter((e) => !skip.has(e.mutationId))
          .sort((a, b) => a.mutationId - b.mutationId),
        max,
      );
      const last = batch.at(-1);
      const sentUpTo = (marker as { sentUpTo?: number } | undefined)?.sentUpTo ?? 0;
      if (last !== undefined && last.mutationId > sentUpTo) {
        state.put({ key: SYNC_STATE_KEYS.outbox, sentUpTo: last.mutationId });
      }
    });
    return () => batch;
  });
}

/** Outbox entries per collection (for the planner's `pendingOutbox` and for status). */
export function countOutbox(connect: ConnectionSource): Promise<Map<string, number>> {
  return transact(connect, [OUTBOX_STORE], 'readonly', (scope) => {
    const counts = new Map<string, number>();
    scope.on(scope.store(OUTBOX_STORE).getAll(), (entries: OutboxEntry[]) => {
      for (const e of entries) counts.set(e.store, (counts.get(e.store) ?? 0) + 1);
    });
    return () => counts;
  });
}
