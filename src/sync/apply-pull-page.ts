import { type ConnectionSource, type TxScope, transact } from '../idb/transact.js';
import type { Change, PullResponse, RecordValue } from '../protocol/messages.js';
import type { KeyType } from '../upversion/schema-types.js';
import { checkPageOrder, rememberToken } from './check-page-order.js';
import { keyRangesOfIds, toKeyRange } from './id-range.js';
import {
  CHECKPOINT_STORE,
  type CheckpointRecord,
  OUTBOX_BY_RECORD,
  OUTBOX_STORE,
  type OutboxEntry,
} from './internal-stores.js';
import { revOf, withoutRev } from './outbox-model.js';
import { decodeId, encodeId, inIdRange, type SyncedKey } from './record-key.js';
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
  /**
   * Outbox entries that waited for this page (writes to records a red sync had cleared) and can be
   * pushed now: the run pushes again after its pulls when this is not 0.
   */
  readonly released: number;
}

/** How to store records of the collection. */
export interface PageTarget {
  readonly store: string;
  /** The store's key path: the record id is written there. */
  readonly keyPath: string;
  /** The type of the store's keys: wire ids are decoded to it. Default `'string'`. */
  readonly keyType?: KeyType;
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
 * Wire ids are decoded to the store's key type (`InvalidKeyError` for one that does not decode);
 * in a number store a snapshot range is a union of number ranges (see {@link keyRangesOfIds}).
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
  const keyType = target.keyType ?? 'string';
  // Decoded before the transaction: an id that does not fit the store fails the page at once.
  const keyed: KeyedChange[] = page.changes.map((change) => ({
    change,
    key: decodeId(store, change.id, keyType),
  }));
  return transact(
    connect,
    [store, OUTBOX_STORE, CHECKPOINT_STORE],
    'readwrite',
    (scope) => {
      const changes: SyncChange[] = [];
      const counts: PageCounts = { fetch: page.changes.length, change: 0, delete: 0, skipped: 0 };
      const checkpoint = nextCheckpoint(previous, page);
      let released = 0;
      readPending(scope, store, (pending) => {
        const clear =
          previous.phase === 'snapshot' && previous.snapshotMode === 'red' && previous.cursor === null;
        // Outdated derived fields: records at the pulled revision are written again through fromServer.
        const rederive = previous.phase === 'snapshot' && previous.rederive === true;
        const write = { scope, target, keyType, pending, changes, counts, rederive };
        if (clear) clearThenPut(write, keyed);
        else if (page.mode === 'snapshot') replaceRange(write, page, keyed);
        else applyChanges(write, keyed);
        scope.store(CHECKPOINT_STORE).put(checkpoint);
        releaseAwaiting(write, page, keyed, (n) => {
          released += n;
        });
      });
      return () => ({ checkpoint, changes, counts, released });
    },
    options,
  );
}

interface KeyedChange {
  readonly change: Change;
  /** The change's id decoded to the store's key type. */
  readonly key: SyncedKey;
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
  const { snapshotMode: _mode, rederive: _rederive, ...rest } = checkpoint;
  return { ...rest, cursor: null };
}

interface PageWrite {
  readonly scope: TxScope;
  readonly target: PageTarget;
  readonly keyType: KeyType;
  readonly pending: ReadonlySet<SyncedKey>;
  readonly changes: SyncChange[];
  readonly counts: PageCounts;
  /** Write records already at the pulled revision too (a snapshot re-deriving outdated fields). */
  readonly rederive: boolean;
}

/**
 * Ids of the store's records with pending outbox entries (few: a key cursor over one index range).
 * The cursor runs `next`, not `nextunique`: WebKit's on-disk store (Safari, WebKitGTK) fails to open a
 * `nextunique` cursor on an empty index with `UnknownError: Unable to open cursor`; the set dedupes.
 */
function readPending(scope: TxScope, store: string, then: (pending: Set<SyncedKey>) => void): void {
  const pending = new Set<SyncedKey>();
  const range = IDBKeyRange.bound([store], [store, []]);
  const cursor = scope.store(OUTBOX_STORE).index(OUTBOX_BY_RECORD).openKeyCursor(range, 'next');
  scope.walk(
    cursor,
    (c) => pending.add((c.key as [string, SyncedKey])[1]),
    () => then(pending),
  );
}

/** The stored form of a pulled record: the server's value with its id and revision stamped in. */
function storedValue(w: PageWrite, { change, key }: KeyedChange & { change: { op: 'put' } }): RecordValue {
  const { keyPath, revField, store } = w.target;
  // The parsed page is ours: stamp id and revision in place rather than copying every record.
  let value: RecordValue = change.value;
  value[keyPath] = key;
  const { fromServer } = w.target;
  if (fromServer === undefined) value[revField] = change.rev;
  else {
    // A copy: the transform's result may be frozen or shared. Its id and revision are the server's.
    const transformed = runTransform('fromServer', fromServer, store, change.id, value);
    value = { ...transformed, [keyPath]: key, [revField]: change.rev };
  }
  return value;
}

function putRecord(w: PageWrite, keyed: KeyedChange & { change: { op: 'put' } }, local: unknown): void {
  if (
    !w.rederive &&
    revOf(local as Record<string, unknown> | undefined, w.target.revField) === keyed.change.rev
  ) {
    w.counts.skipped += 1;
    return;
  }
  w.scope.store(w.target.store).put(storedValue(w, keyed));
  w.counts.change += 1;
  w.changes.push({ store: w.target.store, type: 'put', key: keyed.key });
}

function deleteRecord(w: PageWrite, key: SyncedKey): void {
  w.scope.store(w.target.store).delete(key);
  w.counts.delete += 1;
  w.changes.push({ store: w.target.store, type: 'delete', key });
}

function isPut(keyed: KeyedChange): keyed is KeyedChange & { change: { op: 'put' } } {
  return keyed.change.op === 'put';
}

function applyChanges(w: PageWrite, changes: readonly KeyedChange[]): void {
  const data = w.scope.store(w.target.store);
  const wanted = changes.filter((c) => {
    if (!w.pending.has(c.key)) return true;
    w.counts.skipped += 1;
    return false;
  });
  w.scope.all(
    wanted.map((c) => data.get(c.key)),
    (locals) => {
      wanted.forEach((keyed, i) => {
        if (isPut(keyed)) putRecord(w, keyed, locals[i]);
        else if (locals[i] !== undefined) deleteRecord(w, keyed.key);
        else w.counts.skipped += 1;
      });
    },
  );
}

function replaceRange(w: PageWrite, page: PullResponse, changes: readonly KeyedChange[]): void {
  const data = w.scope.store(w.target.store);
  const after = page.range?.after ?? null;
  const until = page.range?.until ?? null;
  const reads = keyRangesOfIds(after, until, w.keyType).map((bounds) => data.getAll(toKeyRange(bounds)));
  // A number store's last page also sweeps keys of other types (left by a schema before keyType).
  const sweep = w.keyType === 'number' && until === null;
  if (sweep) reads.push(data.getAllKeys(IDBKeyRange.lowerBound(new Date(-8.64e15))));
  w.scope.all(reads as IDBRequest<unknown[]>[], (results) => {
    const strays = sweep ? (results.pop() as IDBValidKey[]) : [];
    const localByKey = new Map<unknown, Record<string, unknown>>();
    for (const locals of results as Record<string, unknown>[][]) {
      for (const local of locals) {
        const key = local[w.target.keyPath] as SyncedKey;
        // A number store's ranges may hold keys whose ids sort outside the page: not this page's.
        if (w.keyType === 'string' || inIdRange(encodeId(key), after, until)) localByKey.set(key, local);
      }
    }
    const inPage = new Set<SyncedKey>();
    for (const keyed of changes) {
      inPage.add(keyed.key);
      if (w.pending.has(keyed.key)) w.counts.skipped += 1;
      else if (isPut(keyed)) putRecord(w, keyed, localByKey.get(keyed.key));
      else if (localByKey.has(keyed.key)) deleteRecord(w, keyed.key);
    }
    for (const key of localByKey.keys()) {
      if (isSyncedKey(key) && !inPage.has(key) && !w.pending.has(key)) deleteRecord(w, key);
    }
    for (const key of strays) {
      if (!w.pending.has(key as SyncedKey)) {
        w.scope.store(w.target.store).delete(key);
        w.counts.delete += 1;
      }
    }
  });
}

function isSyncedKey(key: unknown): key is SyncedKey {
  return typeof key === 'string' || typeof key === 'number';
}

function clearThenPut(w: PageWrite, changes: readonly KeyedChange[]): void {
  const data = w.scope.store(w.target.store);
  w.scope.on(data.getAllKeys(), (keys) => {
    const inPage = new Set(changes.map((c) => c.key));
    if (w.pending.size === 0) data.clear();
    for (const key of keys) {
      if (isSyncedKey(key) && w.pending.has(key)) continue;
      if (w.pending.size > 0) data.delete(key);
      if (!(isSyncedKey(key) && inPage.has(key))) {
        w.counts.delete += 1;
        if (isSyncedKey(key)) w.changes.push({ store: w.target.store, type: 'delete', key });
      }
    }
    for (const keyed of changes) {
      if (w.pending.has(keyed.key)) w.counts.skipped += 1;
      else if (isPut(keyed)) putRecord(w, keyed, undefined);
    }
  });
}

/**
 * Writes made while a red sync had cleared their record wait for the revision the server holds
 * (`awaitsRev`). A page that reaches such a record settles them: the pulled revision becomes the
 * write's base (it is then pushed as an ordinary write); a record the server does not have (a
 * delete in a change page, or an id in a snapshot page's range that the page does not hold) turns a
 * waiting delete into nothing and a waiting put into a create. Reads the outbox only for pending
 * records the page reaches (few).
 */
function releaseAwaiting(
  w: PageWrite,
  page: PullResponse,
  changes: readonly KeyedChange[],
  released: (count: number) => void,
): void {
  if (w.pending.size === 0) return;
  const byKey = new Map<SyncedKey, KeyedChange>();
  for (const keyed of changes) if (w.pending.has(keyed.key)) byKey.set(keyed.key, keyed);
  const reached = new Set(byKey.keys());
  if (page.mode === 'snapshot') {
    const after = page.range?.after ?? null;
    const until = page.range?.until ?? (page.moreAvailable ? (page.changes.at(-1)?.id ?? null) : null);
    for (const key of w.pending) if (inIdRange(encodeId(key), after, until)) reached.add(key);
  }
  if (reached.size === 0) return;
  const outbox = w.scope.store(OUTBOX_STORE);
  const index = outbox.index(OUTBOX_BY_RECORD);
  const keys = [...reached];
  w.scope.all(
    keys.map((key) => index.getAll([w.target.store, key])),
    (results) => {
      let count = 0;
      keys.forEach((key, i) => {
        for (const entry of results[i] as OutboxEntry[]) {
          if (entry.awaitsRev === undefined) continue;
          const { awaitsRev: _waited, ...settled } = entry;
          const keyed = byKey.get(key);
          if (keyed !== undefined && isPut(keyed)) {
            const base = withoutRev({ ...storedValue(w, keyed) }, w.target.revField);
            outbox.put({ ...settled, baseRev: keyed.change.rev, base });
          } else if (entry.op === 'delete') {
            outbox.delete(entry.mutationId);
          } else {
            outbox.put(settled);
          }
          count += 1;
        }
      });
      released(count);
    },
  );
}
