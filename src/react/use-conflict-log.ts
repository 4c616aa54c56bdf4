import { useCallback, useMemo } from 'react';
import { type LiveResult, loading, settle } from '../bindings/live-result.js';
import { clearConflictLog, conflictLog$ } from '../bindings/sync-sources.js';
import type { DatabaseHandle } from '../db/define-database.js';
import type { CollectionName, ConflictLogOf, SyncClient } from '../sync/sync-client-api.js';
import { useObservableStore } from './use-observable.js';

/** What {@link useConflictLog} returns: the log as a live result, and a way to clear it. */
export interface ConflictLogResult<E> extends LiveResult<E[]> {
  /**
   * Empties the conflict log (up to `upToSeq` when given) and re-reads it everywhere it is shown in
   * this tab; resolves with the number of entries removed.
   */
  readonly clear: (upToSeq?: number) => Promise<number>;
}

/**
 * The sync client's conflict log (oldest first; `store`: one collection only), read when the
 * component mounts and again after each conflict resolved, each change the sync brought, and each
 * `clear()`. `database` is the handle the client syncs.
 *
 * @example
 * function ConflictLog() {
 *   const { data: entries = [], clear } = useConflictLog(client, appDb, 'work_orders');
 *   return (
 *     <>
 *       <ul>
 *         {entries.map((e) => <li key={e.seq}>{e.id}: {e.rule} → {e.winner}</li>)}
 *       </ul>
 *       <button type="button" onClick={() => void clear()}>Clear</button>
 *     </>
 *   );
 * }
 */
export function useConflictLog<S, N extends CollectionName<S> = CollectionName<S>>(
  client: SyncClient<NoInfer<S>>,
  database: DatabaseHandle<S>,
  store?: N,
): ConflictLogResult<ConflictLogOf<S, N>> {
  type Entries = ConflictLogOf<S, N>[];
  const result = useObservableStore(
    () => conflictLog$(client, database, store),
    [client, database, store],
    () => loading<Entries>(),
    settle<Entries>,
    loading<Entries>(),
  );
  const clear = useCallback((upToSeq?: number) => clearConflictLog(client, upToSeq), [client]);
  return useMemo(() => ({ ...result, clear }), [result, clear]);
}
