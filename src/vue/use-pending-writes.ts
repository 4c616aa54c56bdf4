import { loading, settle } from '../bindings/live-result.js';
import { pendingWrites$ } from '../bindings/sync-sources.js';
import type { DatabaseHandle } from '../db/define-database.js';
import type { SyncClient } from '../sync/sync-client-api.js';
import { followObservable } from './follow-observable.js';
import { type LiveRefs, liveRefs } from './live-refs.js';

/**
 * The number of local writes the server has not acknowledged yet (`client.pendingWrites()`),
 * counted once the component is mounted and again after each write to a synced store (this tab or
 * another), each acknowledgement and each finished run. `database` is the handle the client syncs.
 *
 * @example
 * import { watchEffect } from 'vue';
 *
 * const { data: pending } = usePendingWrites(client, appDb);
 * watchEffect(() => render(pending.value ? `${pending.value} not synced yet` : ''));
 */
export function usePendingWrites<S>(
  client: Pick<SyncClient, 'runs$' | 'pendingWrites'>,
  database: DatabaseHandle<S>,
): LiveRefs<number> {
  return liveRefs(
    followObservable({
      source: () => pendingWrites$(client, database),
      initial: () => loading<number>(),
      reduce: settle<number>,
      server: loading<number>(),
    }),
  );
}
