import type { PullRequest, PullResponse } from '../protocol/messages.js';
import { applyPullPage } from './apply-pull-page.js';
import type { CheckpointRecord } from './internal-stores.js';
import type { ResolvedCollection, RunContext } from './run-context.js';
import type { CollectionSummary } from './run-summary.js';

/**
 * Pulls one collection from `checkpoint` until the server has nothing more, writing each page with
 * its checkpoint in one transaction. The next page is fetched while the current one is written, and
 * no transaction is open while waiting for the network. Returns the last saved checkpoint.
 */
export async function pullCollection(
  ctx: RunContext,
  collection: ResolvedCollection,
  checkpoint: CheckpointRecord,
  summary: CollectionSummary,
  retrySkipped = false,
): Promise<CheckpointRecord> {
  const target = {
    store: collection.name,
    keyPath: collection.keyPath,
    keyType: collection.keyType,
    revField: ctx.revField,
    kind: collection.kind,
    schemaVersion: ctx.schemaVersion,
    ...(collection.fromServer === undefined ? {} : { fromServer: collection.fromServer }),
    maxRecordBytes: collection.maxRecordBytes,
  };
  // Lookup pages can always be pulled again: let the browser skip the flush to disk per page. The
  // page and its checkpoint still commit together, so a lost page is re-pulled, never half-applied.
  const options = {
    retrySkipped,
    ...(collection.kind === 'lookup' ? { durability: 'relaxed' as const } : {}),
  };
  const fetchPage = (token: string | null): Promise<PullResponse> => {
    const request: PullRequest = {
      collection: collection.name,
      checkpoint: token,
      windowSize: collection.windowSize,
    };
    if (collection.filter !== undefined) request.filter = collection.filter;
    const page = ctx.transport.pull(request, ctx.signal);
    // A prefetched page may be abandoned when writing the current one fails.
    page.catch(() => undefined);
    return page;
  };

  let current = checkpoint;
  let next = fetchPage(current.token);
  for (;;) {
    let page: PullResponse | undefined = await ctx.clock.time('network', next);
    const { moreAvailable, mode, total: pageTotal } = page;
    if (moreAvailable) next = fetchPage(page.checkpoint);
    const snapshotMode = current.phase === 'snapshot' ? (current.snapshotMode ?? 'full') : undefined;
    const applying = applyPullPage(ctx.connect, target, current, page, options);
    // Dropped here, not kept by this frame while the commit runs: the written records can be freed.
    page = undefined;
    const applied = await ctx.clock.time('indexedDb', applying);
    current = applied.checkpoint;
    summary.pages += 1;
    for (const count of ['fetch', 'change', 'delete', 'unchanged', 'skipped'] as const) {
      summary[count] += applied.counts[count];
    }
    if (applied.released > 0) ctx.releasedWrites(applied.released);
    ctx.emitChanges(applied.changes);
    for (const conflict of applied.conflicts) ctx.emitConflict(conflict);
    if (applied.skippedChanged) ctx.skippedChanged();
    if (snapshotMode !== undefined && mode === 'snapshot') {
      const total = pageTotal ?? current.total;
      ctx.emitProgress({
        collection: collection.name,
        mode: snapshotMode,
        done: current.done,
        ...(total === undefined ? {} : { total }),
      });
    }
    if (!moreAvailable) return current;
  }
}
