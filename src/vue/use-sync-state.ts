import type { ShallowRef } from 'vue';
import { peek } from '../bindings/peek.js';
import { lastRun, lastRun$, syncProgress$ } from '../bindings/sync-sources.js';
import type { ConnectionKind } from '../listeners/pull-signal.js';
import type { SyncProgress } from '../sync/run-context.js';
import type { RunSummary } from '../sync/run-summary.js';
import type { LiveSyncClient, SyncClient } from '../sync/sync-client-api.js';
import type { SyncStatus } from '../sync/sync-log.js';
import { followObservable, lastValue } from './follow-observable.js';

/**
 * The sync client's status (`status$`: `idle`, `pulling`, `pushing`, `waiting-for-network`,
 * `blocked`, `error`) as a ref. `idle` on the server.
 *
 * @example
 * import { watchEffect } from 'vue';
 *
 * const status = useSyncStatus(client);
 * watchEffect(() => render(`sync: ${status.value}`));
 */
export function useSyncStatus(client: Pick<SyncClient, 'status$'>): Readonly<ShallowRef<SyncStatus>> {
  return followObservable<SyncStatus, SyncStatus>({
    source: () => client.status$,
    initial: () => peek(client.status$, 'idle'),
    reduce: lastValue,
    server: 'idle',
  });
}

/**
 * The progress of the red or full sync under way (`progress$`: collection, mode, records done and
 * the total when the server said), `null` when none runs (and on the server).
 *
 * @example
 * import { watchEffect } from 'vue';
 *
 * const progress = useSyncProgress(client);
 * watchEffect(() => render(progress.value === null ? '' : `${progress.value.done} / ${progress.value.total}`));
 */
export function useSyncProgress(
  client: Pick<SyncClient, 'progress$' | 'runs$'>,
): Readonly<ShallowRef<SyncProgress | null>> {
  return followObservable<SyncProgress | null, SyncProgress | null>({
    source: () => syncProgress$(client),
    initial: () => null,
    reduce: lastValue,
    server: null,
  });
}

/**
 * How the one-call client hears about server changes (`connection$`: `websocket`, `sse`,
 * `polling`, `offline`). `offline` on the server.
 *
 * @example
 * import { watchEffect } from 'vue';
 *
 * const connection = useConnection(client);
 * watchEffect(() => render(connection.value));
 */
export function useConnection(
  client: Pick<LiveSyncClient, 'connection$'>,
): Readonly<ShallowRef<ConnectionKind>> {
  return followObservable<ConnectionKind, ConnectionKind>({
    source: () => client.connection$,
    initial: () => peek(client.connection$, 'offline'),
    reduce: lastValue,
    server: 'offline',
  });
}

/**
 * The summary of the client's last finished run (outcome, per-collection counts, push counts,
 * timings), or `null` before one (and on the server). A component mounted later shows the last run
 * another binding of the same client saw.
 *
 * @example
 * import { watchEffect } from 'vue';
 *
 * const run = useLastRun(client);
 * watchEffect(() => render(run.value === null ? 'not synced yet' : run.value.outcome));
 */
export function useLastRun(client: Pick<SyncClient, 'runs$'>): Readonly<ShallowRef<RunSummary | null>> {
  return followObservable<RunSummary | null, RunSummary>({
    source: () => lastRun$(client),
    initial: () => lastRun(client),
    reduce: lastValue,
    server: null,
  });
}
