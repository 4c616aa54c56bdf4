import { type ConnectionSource, type TxScope, transact } from '../idb/transact.js';
import type { Change, PullResponse } from '../protocol/messages.js';
import { checkPageOrder, rememberToken } from './check-page-order.js';
import { keyRangesOfIds, toKeyRange } from './id-range.js';
import {
  CHECKPOINT_STORE,
  type CheckpointRecord,
  CONFLICT_STORE,
  OUTBOX_BY_RECORD,
  OUTBOX_STORE,
  type OutboxEntry,
  type StoreConflictLogEntry,
} from './internal-stores.js';
import { revOf, withoutRev } from './outbox-model.js';
import { decodeId, encodeId, inIdRange, type SyncedKey } from './record-key.js';
import { SKIPPED_STORE, type StoredSkip, skippedRange } from './skipped-log.js';
import {
  type PageCounts,
  type PageTarget,
  type PageWrite,
  type Put,
  type PutChange,
  skip,
  storedValue,
  storePuts,
} from './store-pulled.js';
import type { SyncChange } from './sync-change.js';

export type { PageCounts, PageTarget } from './store-pulled.js';

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
  /** Clashes of pulled records with unpushed local writes, as logged in the conflict log. */
  readonly conflicts: StoreConflictLogEntry[];
  /** The skipped-records log changed. */
  readonly skippedChanged: boolean;
}

/** Options of {@link applyPullPage}. */
export interface PageOptions {
  readonly durability?: IDBTransactionDurability;
  /** On the last page, retry every skipped record of the collection (not only unique clashes). */
  readonly retrySkipped?: boolean;
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
 * nothing is written.
 *
 * One bad record never fails the page: a record whose id does not decode to the store's key type,
 * whose `fromServer` throws, that IndexedDB cannot store, or that cannot take a unique value goes
 * into the skipped-records log (`_skipped`) and the rest of the page and its checkpoint are written
 * (see {@link storePuts}). A page that settles a record (brings it again, deletes it, or covers its
 * id in a snapshot range) settles its log entry; the last page of a pull retries the entries of
 * unique clashes (a value may have been freed), and all the others after a schema upgrade or when
 * `retrySkipped`. Only a failure of the transaction itself (a full disk) writes nothing.
 */
export async function applyPullPage(
  connect: ConnectionSource,
  target: PageTarget,
  previous: CheckpointRecord,
  page: PullResponse,
  options: PageOptions = {},
): Promise<AppliedPage> {
  const { store } = target;
  checkPageOrder(previous, page);
  const keyType = target.keyType ?? 'string';
  // No callback below holds `page`: its records are released once written (see `keyed`).
  const { mode, moreAvailable, range } = page;
  const [after, until] = pageRange(page);
  const ids = page.changes.map((c) => c.id);
  const checkpoint = nextCheckpoint(previous, page);
  const keyed: KeyedChange[] = [];
  const undecodable: Change[] = [];
  for (const change of page.changes) {
    try {
      keyed.push({ change, key: decodeId(store, change.id, keyType) });
    } catch {
      undecodable.push(change);
    }
  }
  const stores = [store, OUTBOX_STORE, CHECKPOINT_STORE, SKIPPED_STORE];
  if (target.kind === 'transactional') stores.push(CONFLICT_STORE);
  return transact(
    connect,
    stores,
    'readwrite',
    (scope) => {
      const changes: SyncChange[] = [];
      const counts: PageCounts = {
        fetch: ids.length,
        change: 0,
        delete: 0,
        unchanged: 0,
        skipped: 0,
      };
      const conflicts: StoreConflictLogEntry[] = [];
      let released = 0;
      let skippedChanged = false;
      readPending(scope, store, (pending) =>
        readLogged(scope, store, (logged) => {
          const w: PageWrite = {
            scope,
            target,
            keyType,
            pending,
            changes,
            counts,
            // Outdated derived fields: records at the pulled revision are written again through fromServer.
            rederive: previous.phase === 'snapshot' && previous.rederive === true,
            logged,
            touched: new Set(ids),
            skips: new Map(),
            conflicts: conflicts as PageWrite['conflicts'],
          };
          if (mode === 'snapshot') {
            for (const id of logged.keys()) if (inIdRange(id, after, until)) w.touched.add(id);
          }
          for (const change of undecodable) {
            if (change.op === 'put') {
              skip(w, { change }, 'invalid-key', false, { message: `not a ${keyType} key` });
            }
          }
          const clear =
            previous.phase === 'snapshot' && previous.snapshotMode === 'red' && previous.cursor === null;
          const write = (puts: Put[]) =>
            storePuts(w, puts, false, () => {
              const retries = moreAvailable ? [] : retryable(w, options.retrySkipped === true);
              storePuts(w, retries, true, () => {
                skippedChanged = settleLog(w);
                scope.store(CHECKPOINT_STORE).put(checkpoint);
                releaseAwaiting(w, mode === 'snapshot' ? [after, until] : undefined, keyed, (n) => {
                  released += n;
                });
                // The records are with IndexedDB now: let the page go before the commit.
                keyed.length = 0;
              });
            });
          if (clear) clearThenPut(w, keyed, write);
          else if (mode === 'snapshot') replaceRange(w, range, keyed, write);
          else applyChanges(w, keyed, write);
        }),
      );
      return () => ({ checkpoint, changes, counts, released, conflicts, skippedChanged });
    },
    options.durability === undefined ? {} : { durability: options.durability },
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
  const [, until] = pageRange(page);
  const done = previous.done + page.changes.length;
  const progress = page.total === undefined ? { done } : { done, total: page.total };
  if (until === null) return { ...withoutSnapshot(base), ...progress, phase: 'changes' };
  return { ...base, ...progress, phase: 'snapshot', cursor: until };
}

function withoutSnapshot(checkpoint: CheckpointRecord): CheckpointRecord {
  const { snapshotMode: _mode, rederive: _rederive, ...rest } = checkpoint;
  return { ...rest, cursor: null };
}

/** A snapshot page's id range `(after, until]` (`null`: unbounded). */
function pageRange(page: PullResponse): [string | null, string | null] {
  const after = page.range?.after ?? null;
  return [after, page.range?.until ?? (page.moreAvailable ? (page.changes.at(-1)?.id ?? null) : null)];
}

/**
 * The store's records with pending outbox entries → their latest mutation id (few: a key cursor
 * over one index range, in mutation order per record). The cursor runs `next`, not `nextunique`:
 * WebKit's on-disk store (Safari, WebKitGTK) fails to open a `nextunique` cursor on an empty index
 * with `UnknownError: Unable to open cursor`.
 */
function readPending(scope: TxScope, store: string, then: (pending: Map<SyncedKey, number>) => void): void {
  const pending = new Map<SyncedKey, number>();
  const range = IDBKeyRange.bound([store], [store, []]);
  const cursor = scope.store(OUTBOX_STORE).index(OUTBOX_BY_RECORD).openKeyCursor(range, 'next');
  scope.walk(
    cursor,
    (c) => pending.set((c.key as [string, SyncedKey])[1], c.primaryKey as number),
    () => then(pending),
  );
}

/** The collection's skipped-log entries, by wire id (usually none). */
function readLogged(scope: TxScope, store: string, then: (logged: Map<string, StoredSkip>) => void): void {
  scope.on(scope.store(SKIPPED_STORE).getAll(skippedRange(store)), (entries: StoredSkip[]) =>
    then(new Map(entries.map((e) => [e.id, e]))),
  );
}

/** Log entries the last page retries: clashes always, the others after an upgrade or when asked. */
function retryable(w: PageWrite, all: boolean): Put[] {
  const puts: Put[] = [];
  for (const entry of w.logged.values()) {
    const due = all || entry.reason === 'unique-clash' || entry.schemaVersion < (w.target.schemaVersion ?? 0);
    if (!due || w.touched.has(entry.id) || entry.value === undefined) continue;
    let key: SyncedKey;
    try {
      key = decodeId(w.target.store, entry.id, w.keyType);
    } catch {
      continue;
    }
    if (w.pending.has(key)) continue;
    const change: PutChange = { id: entry.id, rev: entry.rev, op: 'put', value: entry.value };
    puts.push({ change, key, local: undefined, ...(entry.stored ? { stored: true as const } : {}) });
  }
  return puts;
}

/** Writes the page's log changes: settled entries go, new ones replace. Returns whether it changed. */
function settleLog(w: PageWrite): boolean {
  const log = w.scope.store(SKIPPED_STORE);
  let changed = false;
  for (const id of w.logged.keys()) {
    if (w.touched.has(id) && !w.skips.has(id)) {
      log.delete([w.target.store, id]);
      changed = true;
    }
  }
  for (const entry of w.skips.values()) {
    try {
      log.put(entry);
    } catch {
      const { value: _value, stored: _stored, ...rest } = entry;
      log.put(rest); // a value IndexedDB cannot keep: retried by a full sync only
    }
    changed = true;
  }
  return changed;
}

/** A record of the page to write, unless it is already at the pulled revision. */
function wantPut(
  w: PageWrite,
  keyed: KeyedChange & { change: PutChange },
  local: unknown,
  puts: Put[],
): void {
  if (
    !w.rederive &&
    revOf(local as Record<string, unknown> | undefined, w.target.revField) === keyed.change.rev
  ) {
    w.counts.unchanged += 1;
    return;
  }
  puts.push({ change: keyed.change, key: keyed.key, local });
}

function deleteRecord(w: PageWrite, key: SyncedKey): void {
  w.scope.store(w.target.store).delete(key);
  w.counts.delete += 1;
  w.changes.push({ store: w.target.store, type: 'delete', key });
}

function isPut(keyed: KeyedChange): keyed is KeyedChange & { change: PutChange } {
  return keyed.change.op === 'put';
}

function applyChanges(w: PageWrite, changes: readonly KeyedChange[], then: (puts: Put[]) => void): void {
  const data = w.scope.store(w.target.store);
  const wanted = changes.filter((c) => {
    if (!w.pending.has(c.key)) return true;
    w.counts.unchanged += 1;
    return false;
  });
  w.scope.all(
    wanted.map((c) => data.get(c.key)),
    (locals) => {
      const puts: Put[] = [];
      wanted.forEach((keyed, i) => {
        if (isPut(keyed)) wantPut(w, keyed, locals[i], puts);
        else if (locals[i] !== undefined) deleteRecord(w, keyed.key);
        else w.counts.unchanged += 1;
      });
      wanted.length = 0;
      then(puts);
    },
  );
}

function replaceRange(
  w: PageWrite,
  range: PullResponse['range'],
  changes: readonly KeyedChange[],
  then: (puts: Put[]) => void,
): void {
  const data = w.scope.store(w.target.store);
  const after = range?.after ?? null;
  const until = range?.until ?? null;
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
    const puts: Put[] = [];
    for (const keyed of changes) {
      inPage.add(keyed.key);
      if (w.pending.has(keyed.key)) w.counts.unchanged += 1;
      else if (isPut(keyed)) wantPut(w, keyed, localByKey.get(keyed.key), puts);
      else if (localByKey.has(keyed.key)) deleteRecord(w, keyed.key);
    }
    for (const key of localByKey.keys()) {
      if (isSyncedKey(key) && !inPage.has(key) && !w.pending.has(key)) deleteRecord(w, key);
    }
    for (const key of strays) {
      if (!w.pending.has(key as SyncedKey)) {
        data.delete(key);
        w.counts.delete += 1;
      }
    }
    then(puts);
  });
}

function isSyncedKey(key: unknown): key is SyncedKey {
  return typeof key === 'string' || typeof key === 'number';
}

function clearThenPut(w: PageWrite, changes: readonly KeyedChange[], then: (puts: Put[]) => void): void {
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
    const puts: Put[] = [];
    for (const keyed of changes) {
      if (w.pending.has(keyed.key)) w.counts.unchanged += 1;
      else if (isPut(keyed)) puts.push({ change: keyed.change, key: keyed.key, local: undefined });
    }
    then(puts);
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
  snapshotRange: [string | null, string | null] | undefined,
  changes: readonly KeyedChange[],
  released: (count: number) => void,
): void {
  if (w.pending.size === 0) return;
  const byKey = new Map<SyncedKey, KeyedChange>();
  for (const keyed of changes) if (w.pending.has(keyed.key)) byKey.set(keyed.key, keyed);
  const reached = new Set(byKey.keys());
  if (snapshotRange !== undefined) {
    const [after, until] = snapshotRange;
    for (const key of w.pending.keys()) if (inIdRange(encodeId(key), after, until)) reached.add(key);
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
            outbox.put({ ...settled, baseRev: keyed.change.rev, base: baseOf(w, keyed) });
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

/** The pulled value a waiting write is based on (the server's own when `fromServer` fails on it). */
function baseOf(w: PageWrite, { change, key }: KeyedChange & { change: PutChange }) {
  let value: Record<string, unknown>;
  try {
    value = { ...storedValue(w, change, key) };
  } catch {
    value = { ...change.value };
  }
  return withoutRev(value, w.target.revField);
}
