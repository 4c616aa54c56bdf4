import { type ConnectionSource, type TxScope, transact } from '../idb/transact.js';
import type { Change, PullResponse, RecordValue } from '../protocol/messages.js';
import { checkPageOrder, rememberToken } from './check-page-order.js';
import {
  CHECKPOINT_STORE,
  type CheckpointRecord,
  OUTBOX_BY_RECORD,
  OUTBOX_STORE,
} from './internal-stores.js';
import { revOf } from './outbox-model.js';
import { runTransform, type TransformFn } from './record-transform.js';
import type { SyncChange } from './sync-change.js';

/** Per-page counts for the run summary. */
export interface PageCounts {
  /** Records received from the server. */
  fetch: number;
  /** Records written locally. */
  change: number;
  /** Records deleted locally. */
  delete: number;
  /** Received records left alone: unchanged (same revision) or with local writes still pending. */
  skipped: number;
}

/** What writing one page did. */
export interface AppliedPage {
  readonly checkpoint: CheckpointRecord;
  readonly changes: SyncChange[];
  readonly counts: PageCounts;
}

/** How to store records of the collection. */
export interface PageTarget {
  readonly store: string;
  /** The store's key path: the record id is written there. */
  readonly keyPath: string;
  /** The field holding each record's server revision. */
  readonly revField: string;
  /** The collection's `fromServer` transform, applied to each record written. */
  readonly fromServer?: TransformFn;
}

/**
 * Writes one pulled page and the checkpoint that follows it in ONE transaction, so the saved
 * checkpoint is never ahead of the data nor behind it. Records with pending local writes are never
 * overwritten or deleted (the push and conflict path owns them), and a record already at the page's
 * revision is not rewritten (no echo of this client's own pushes).
 *
 * Snapshot pages replace their key range `(after, until]`: local records in it that are missing
 * from the page are deleted; records beyond `until` stay readable until their own page arrives. The
 * first page of a red sync instead clears the whole store (except records with pending writes).
 * A page that cannot follow `previous` (a stale replay) is refused with `InvalidResponseError` and
 * nothing is written. Each record written goes through the collection's `fromServer` transform inside
 * the transaction; a transform that throws aborts it (`RecordTransformError`): nothing is written.
 */
export async function applyPullPage(
  connect: ConnectionSource,
  target: PageTarget,
  previous: CheckpointRecord,
  page: PullResponse,
  options: { readonly durability?: IDBTransactionDurability } = {},
): Promise<AppliedPage> {
  const { store } = target;
  checkPageOrder(previous, page);
  return transact(
    connect,
    [store, OUTBOX_STORE, CHECKPOINT_STORE],
    'readwrite',
    (scope) => {
      const changes: SyncChange[] = [];
      const counts: PageCounts = { fetch: page.changes.length, change: 0, delete: 0, skipped: 0 };
      const checkpoint = nextCheckpoint(previous, page);
      readPending(scope, store, (pending) => {
        const clear =
          previous.phase === 'snapshot' && previous.snapshotMode === 'red' && previous.cursor === null;
        const write = { scope, target, pending, changes, counts };
        if (clear) clearThenPut(write, page.changes);
        else if (page.mode === 'snapshot') replaceRange(write, page);
        else applyChanges(write, page.changes);
        scope.store(CHECKPOINT_STORE).put(checkpoint);
      });
      return () => ({ checkpoint, changes, counts });
    },
    options,
  );
}

/** The checkpoint after `page`: the snapshot cursor moves to the page's end; its last page ends the snapshot. */
export function nextCheckpoint(previous: CheckpointRecord, page: PullResponse): CheckpointRecord {
  const base = {
    ...previous,
    token: page.checkpoint,
    recentTokens: rememberToken(previous, page.checkpoint),
    updatedAt: Date.now(),
  };
  if (page.mode === 'changes') return { ...withoutSnapshot(base), phase: 'changes' };
  const until = page.range?.until ?? (page.moreAvailable ? (page.changes.at(-1)?.id ?? null) : null);
  const done = previous.done + page.changes.length;
  const progress = page.total === undefined ? { done } : { done, total: page.total };
  if (until === null) return { ...withoutSnapshot(base), ...progress, phase: 'changes' };
  return { ...base, ...progress, phase: 'snapshot', cursor: until };
}

function withoutSnapshot(checkpoint: CheckpointRecord): CheckpointRecord {
  const { snapshotMode: _mode, ...rest } = checkpoint;
  return { ...rest, cursor: null };
}

interface PageWrite {
  readonly scope: TxScope;
  readonly target: PageTarget;
  readonly pending: ReadonlySet<string>;
  readonly changes: SyncChange[];
  readonly counts: PageCounts;
}

/**
 * Ids of the store's records with pending outbox entries (few: a key cursor over one index range).
 * The cursor runs `next`, not `nextunique`: WebKit's on-disk store (Safari, WebKitGTK) fails to open a
 * `nextunique` cursor on an empty index with `UnknownError: Unable to open cursor`; the set dedupes.
 */
function readPending(scope: TxScope, store: string, then: (pending: Set<string>) => void): void {
  const pending = new Set<string>();
  const range = IDBKeyRange.bound([store], [store, []]);
  const cursor = scope.store(OUTBOX_STORE).index(OUTBOX_BY_RECORD).openKeyCursor(range, 'next');
  scope.walk(
    cursor,
    (c) => pending.add((c.key as [string, string])[1]),
    () => then(pending),
  );
}

function putRecord(w: PageWrite, change: Extract<Change, { op: 'put' }>, local: unknown): void {
  const { keyPath, revField, store } = w.target;
  if (revOf(local as Record<string, unknown> | undefined, revField) === change.rev) {
    w.counts.skipped += 1;
    return;
  }
  // The parsed page is ours: stamp id and revision in place rather than copying every record.
  let value: RecordValue = change.value;
  value[keyPath] = change.id;
  const { fromServer } = w.target;
  if (fromServer === undefined) value[revField] = change.rev;
  else {
    // A copy: the transform's result may be frozen or shared. Its id and revision are the server's.
    const transformed = runTransform('fromServer', fromServer, store, change.id, value);
    value = { ...transformed, [keyPath]: change.id, [revField]: change.rev };
  }
  w.scope.store(store).put(value);
  w.counts.change += 1;
  w.changes.push({ store, type: 'put', id: change.id, value, origin: 'remote' });
}

function deleteRecord(w: PageWrite, id: string): void {
  w.scope.store(w.target.store).delete(id);
  w.counts.delete += 1;
  w.changes.push({ store: w.target.store, type: 'delete', id, origin: 'remote' });
}

function applyChanges(w: PageWrite, changes: readonly Change[]): void {
  const data = w.scope.store(w.target.store);
  const wanted = changes.filter((c) => {
    if (!w.pending.has(c.id)) return true;
    w.counts.skipped += 1;
    return false;
  });
  w.scope.all(
    wanted.map((c) => data.get(c.id)),
    (locals) => {
      wanted.forEach((change, i) => {
        if (change.op === 'put') putRecord(w, change, locals[i]);
        else if (locals[i] !== undefined) deleteRecord(w, change.id);
        else w.counts.skipped += 1;
      });
    },
  );
}

function replaceRange(w: PageWrite, page: PullResponse): void {
  const data = w.scope.store(w.target.store);
  const after = page.range?.after ?? null;
  const until = page.range?.until ?? null;
  const range =
    after === null && until === null
      ? null
      : after === null
        ? IDBKeyRange.upperBound(until)
        : until === null
          ? IDBKeyRange.lowerBound(after, true)
          : IDBKeyRange.bound(after, until, true, false);
  w.scope.on(data.getAll(range), (locals: Record<string, unknown>[]) => {
    const localById = new Map<unknown, Record<string, unknown>>();
    for (const local of locals) localById.set(local[w.target.keyPath], local);
    const inPage = new Set<string>();
    for (const change of page.changes) {
      inPage.add(change.id);
      if (w.pending.has(change.id)) w.counts.skipped += 1;
      else if (change.op === 'put') putRecord(w, change, localById.get(change.id));
      else if (localById.has(change.id)) deleteRecord(w, change.id);
    }
    for (const id of localById.keys()) {
      if (typeof id === 'string' && !inPage.has(id) && !w.pending.has(id)) deleteRecord(w, id);
    }
  });
}

function clearThenPut(w: PageWrite, changes: readonly Change[]): void {
  const data = w.scope.store(w.target.store);
  w.scope.on(data.getAllKeys(), (keys) => {
    const inPage = new Set(changes.map((c) => c.id));
    if (w.pending.size === 0) data.clear();
    for (const key of keys) {
      if (typeof key === 'string' && w.pending.has(key)) continue;
      if (w.pending.size > 0) data.delete(key);
      if (!(typeof key === 'string' && inPage.has(key))) {
        w.counts.delete += 1;
        w.changes.push({ store: w.target.store, type: 'delete', id: String(key), origin: 'remote' });
      }
    }
    for (const change of changes) {
      if (w.pending.has(change.id)) w.counts.skipped += 1;
      else if (change.op === 'put') putRecord(w, change, undefined);
    }
  });
}
