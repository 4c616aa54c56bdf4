import { useCallback, useMemo } from 'react';
import { type LiveResult, loading, settle } from '../bindings/live-result.js';
import type { SkippedRecordsClient } from '../bindings/sync-sources.js';
import { skippedRecords$ } from '../bindings/sync-sources.js';
import type { RunSummary } from '../sync/run-summary.js';
import type { SkippedRecord } from '../sync/skipped-log.js';
import { useObservableStore } from './use-observable.js';

/** What {@link useSkippedRecords} returns: the log as a live result, and a way to retry it. */
export interface SkippedRecordsResult extends LiveResult<SkippedRecord[]> {
  /**
   * Runs a sync that pulls the skipped records again (`sync({ retrySkipped })`, for `collection`
   * only when one was given); resolves with the run's summary. Records stored this time leave the
   * log, and the list re-renders.
   */
  readonly retry: () => Promise<RunSummary>;
}

/**
 * The skipped-records log (oldest first; `collection`: one collection only): pulled records the
 * client could not store, listed with their reason, while sync went on without them. Re-renders
 * after each change made by a run of any tab.
 *
 * @example
 * function SkippedRecords() {
 *   const { data: skipped = [], retry } = useSkippedRecords(client, 'service_types');
 *   if (skipped.length === 0) return null;
 *   return (
 *     <p>
 *       {skipped.length} records could not be stored ({skipped.map((r) => r.reason).join(', ')})
 *       <button type="button" onClick={() => void retry()}>Retry</button>
 *     </p>
 *   );
 * }
 */
export function useSkippedRecords(client: SkippedRecordsClient, collection?: string): SkippedRecordsResult {
  const result = useObservableStore(
    () => skippedRecords$(client, collection),
    [client, collection],
    () => loading<SkippedRecord[]>(),
    settle<SkippedRecord[]>,
    loading<SkippedRecord[]>(),
  );
  const retry = useCallback(
    () => client.sync({ retrySkipped: collection === undefined ? true : [collection] }),
    [client, collection],
  );
  return useMemo(() => ({ ...result, retry }), [result, retry]);
}
