import { type ConnectionSource, transact } from '../idb/transact.js';
import { CONFLICT_STORE, type StoreConflictLogEntry } from './internal-stores.js';

/** The logged conflicts, oldest first; `store` limits them to one collection. */
export function listConflicts(connect: ConnectionSource, store?: string): Promise<StoreConflictLogEntry[]> {
  return transact(connect, [CONFLICT_STORE], 'readonly', (scope) => {
    let entries: StoreConflictLogEntry[] = [];
    scope.on(scope.store(CONFLICT_STORE).getAll(), (all: StoreConflictLogEntry[]) => {
      // Sorted here: indexeddbshim does not always return an unbounded getAll in key order.
      entries = (store === undefined ? all : all.filter((e) => e.store === store)).sort(
        (a, b) => a.seq - b.seq,
      );
    });
    return () => entries;
  });
}

/** Empties the conflict log (up to and including `upToSeq` when given); returns how many entries went. */
export function clearConflicts(connect: ConnectionSource, upToSeq?: number): Promise<number> {
  return transact(connect, [CONFLICT_STORE], 'readwrite', (scope) => {
    const store = scope.store(CONFLICT_STORE);
    const range = upToSeq === undefined ? null : IDBKeyRange.upperBound(upToSeq);
    let removed = 0;
    scope.on(store.count(range ?? undefined), (n) => {
      removed = n;
      if (range === null) store.clear();
      else store.delete(range);
    });
    return () => removed;
  });
}
