import { type LiveResult, loading, settle } from '../bindings/live-result.js';
import { pendingWrites$ } from '../bindings/sync-sources.js';
import type { DatabaseHandle } from '../db/define-database.js';
import type { SyncClient } from '../sync/sync-client-api.js';
import { useObservableStore } from './use-observable.js';

/**
 * The number of local writes the server has not acknowledged yet (`client.pendingWrites()`),
 * counted when the component mounts and again after each write to a synced store (this tab or
 * another), each acknowledgement and each finished run. `database` is the handle the client syncs.
 *
 * @example
 * function PendingBadge() {
 *   const { data: pending = 0 } = usePendingWrites(client, appDb);
 *   return pending === 0 ? null : <span>{pending} not synced yet</span>;
 * }
 */
export function usePendingWrites<S>(
  client: Pick<SyncClient, 'runs$' | 'pendingWrites'>,
  database: DatabaseHandle<S>,
): LiveResult<number> {
  return useObservableStore(
    () => pendingWrites$(client, database),
    [client, database],
    () => loading<number>(),
    settle<number>,
    loading<number>(),
  );
}
