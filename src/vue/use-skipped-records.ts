import { loading, settle } from '../bindings/live-result.js';
import type { SkippedRecordsClient } from '../bindings/sync-sources.js';
import { skippedRecords$ } from '../bindings/sync-sources.js';
import type { RunSummary } from '../sync/run-summary.js';
import type { SkippedRecord } from '../sync/skipped-log.js';
import { followObservable } from './follow-observable.js';
import { type LiveRefs, liveRefs } from './live-refs.js';

/** What {@link useSkippedRecords} returns: the log as live refs, and a way to retry it. */
export interface SkippedRecordsRefs extends LiveRefs<SkippedRecord[]> {
  /**
   * Runs a sync that pulls the skipped records again (`sync({ retrySkipped })`, for `collection`
   * only when one was given); resolves with the run's summary. Records stored this time leave the
   * log, and the refs update.
   */
  readonly retry: () => Promise<RunSummary>;
}

/**
 * The skipped-records log (oldest first; `collection`: one collection only): pulled records the
 * client could not store, listed with their reason, while sync went on without them. Updated after
 * each change made by a run of any tab, once the component is mounted.
 *
 * @example
 * import { watchEffect } from 'vue';
 *
 * const { data: skipped, retry } = useSkippedRecords(client, 'service_types');
 * watchEffect(() => render(skipped.value?.map((r) => `${r.collection} ${r.id}: ${r.reason}`)));
 * await retry();
 */
export function useSkippedRecords(client: SkippedRecordsClient, collection?: string): SkippedRecordsRefs {
  const state = followObservable({
    source: () => skippedRecords$(client, collection),
    initial: () => loading<SkippedRecord[]>(),
    reduce: settle<SkippedRecord[]>,
    server: loading<SkippedRecord[]>(),
  });
  return {
    ...liveRefs(state),
    retry: () => client.sync({ retrySkipped: collection === undefined ? true : [collection] }),
  };
}
