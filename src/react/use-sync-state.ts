import { peek } from '../bindings/peek.js';
import { lastRun, lastRun$, syncProgress$ } from '../bindings/sync-sources.js';
import type { ConnectionKind } from '../listeners/pull-signal.js';
import type { SyncProgress } from '../sync/run-context.js';
import type { RunSummary } from '../sync/run-summary.js';
import type { LiveSyncClient, SyncClient } from '../sync/sync-client-api.js';
import type { SyncStatus } from '../sync/sync-log.js';
import { lastValue, useObservableStore } from './use-observable.js';

/**
 * The sync client's status (`status$`: `idle`, `pulling`, `pushing`, `waiting-for-network`,
 * `blocked`, `error`), re-rendering when it changes. `idle` on the server.
 *
 * @example
 * function SyncBadge() {
 *   const status = useSyncStatus(client);
 *   return <span className={`badge ${status}`}>{status}</span>;
 * }
 */
export function useSyncStatus(client: Pick<SyncClient, 'status$'>): SyncStatus {
  return useObservableStore(
    () => client.status$,
    [client],
    () => peek(client.status$, 'idle'),
    lastValue,
    'idle',
  );
}

/**
 * The progress of the red or full sync under way (`progress$`: collection, mode, records done and
 * the total when the server said), `null` when none runs (and on the server).
 *
 * @example
 * function SyncProgressBar() {
 *   const progress = useSyncProgress(client);
 *   if (progress === null) return null;
 *   return <progress max={progress.total} value={progress.done} />;
 * }
 */
export function useSyncProgress(client: Pick<SyncClient, 'progress$' | 'runs$'>): SyncProgress | null {
  return useObservableStore<SyncProgress | null, SyncProgress | null>(
    () => syncProgress$(client),
    [client],
    () => null,
    lastValue,
    null,
  );
}

/**
 * How the one-call client hears about server changes (`connection$`: `websocket`, `sse`,
 * `polling`, `offline`). `offline` on the server.
 *
 * @example
 * function ConnectionBadge() {
 *   return <span>{useConnection(client)}</span>;
 * }
 */
export function useConnection(client: Pick<LiveSyncClient, 'connection$'>): ConnectionKind {
  return useObservableStore(
    () => client.connection$,
    [client],
    () => peek(client.connection$, 'offline'),
    lastValue,
    'offline',
  );
}

/**
 * The summary of the client's last finished run (outcome, per-collection counts, push counts,
 * timings), or `null` before one (and on the server). A component mounted later shows the last run
 * another binding of the same client saw.
 *
 * @example
 * function LastRun() {
 *   const run = useLastRun(client);
 *   return <p>{run === null ? 'not synced yet' : `${run.outcome}, ${run.push.applied} pushed`}</p>;
 * }
 */
export function useLastRun(client: Pick<SyncClient, 'runs$'>): RunSummary | null {
  return useObservableStore<RunSummary | null, RunSummary>(
    () => lastRun$(client),
    [client],
    () => lastRun(client),
    lastValue,
    null,
  );
}
