import { loading, settle } from '../bindings/live-result.js';
import { clearConflictLog, conflictLog$ } from '../bindings/sync-sources.js';
import type { DatabaseHandle } from '../db/define-database.js';
import type { CollectionName, ConflictLogOf, SyncClient } from '../sync/sync-client-api.js';
import { followObservable } from './follow-observable.js';
import { type LiveRefs, liveRefs } from './live-refs.js';

/** What {@link useConflictLog} returns: the log as live refs, and a way to clear it. */
export interface ConflictLogRefs<E> extends LiveRefs<E[]> {
  /**
   * Empties the conflict log (up to `upToSeq` when given) and re-reads it everywhere it is shown in
   * this tab; resolves with the number of entries removed.
   */
  readonly clear: (upToSeq?: number) => Promise<number>;
}

/**
 * The sync client's conflict log (oldest first; `store`: one collection only), read once the
 * component is mounted and again after each conflict resolved, each change the sync brought, and
 * each `clear()`. `database` is the handle the client syncs.
 *
 * @example
 * import { watchEffect } from 'vue';
 *
 * const { data: entries, clear } = useConflictLog(client, appDb, 'work_orders');
 * watchEffect(() => render(entries.value?.map((e) => `${e.id}: ${e.rule} → ${e.winner}`)));
 * await clear();
 */
export function useConflictLog<S, N extends CollectionName<S> = CollectionName<S>>(
  client: SyncClient<NoInfer<S>>,
  database: DatabaseHandle<S>,
  store?: N,
): ConflictLogRefs<ConflictLogOf<S, N>> {
  type Entries = ConflictLogOf<S, N>[];
  const state = followObservable({
    source: () => conflictLog$(client, database, store),
    initial: () => loading<Entries>(),
    reduce: settle<Entries>,
    server: loading<Entries>(),
  });
  return { ...liveRefs(state), clear: (upToSeq?: number) => clearConflictLog(client, upToSeq) };
}
