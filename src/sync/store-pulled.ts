import type { TxScope } from '../idb/tx-scope.js';
import type { Change, RecordValue } from '../protocol/messages.js';
import type { KeyType } from '../upversion/schema-types.js';
import { CONFLICT_STORE, type StoreConflictLogEntry } from './internal-stores.js';
import { revOf, withoutRev } from './outbox-model.js';
import { encodeId, type SyncedKey } from './record-key.js';
import { runTransform, type TransformFn } from './record-transform.js';
import type { SkipReason, StoredSkip } from './skipped-log.js';
import type { SyncChange } from './sync-change.js';
import { findClashes } from './unique-clashes.js';

/** Per-page counts for the run summary. */
export interface PageCounts {
  /** Records received from the server. */
  fetch: number;
  /** Records written locally. */
  change: number;
  /** Records deleted locally. */
  delete: number;
  /** Received records left alone: unchanged (same revision) or with local writes still pending. */
  unchanged: number;
  /** Records put in the skipped-records log (this page's, and stored records a clash evicted). */
  skipped: number;
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
  /** `transactional`: a clash with an unpushed local write is also logged as a conflict. */
  readonly kind?: 'transactional' | 'lookup';
  /** The database version: records skipped under an older one are retried. Default `0`. */
  readonly schemaVersion?: number;
}

export type PutChange = Change & { readonly op: 'put' };

/** A pulled record to write: its change, local key, stored copy (if any). */
export interface Put {
  readonly change: PutChange;
  readonly key: SyncedKey;
  readonly local: unknown;
  /** A retried record evicted by a clash: its value is already in the stored form. */
  readonly stored?: true;
}

/** The state of one page's transaction. */
export interface PageWrite {
  readonly scope: TxScope;
  readonly target: PageTarget;
  readonly keyType: KeyType;
  /** Records with pending outbox entries → their latest mutation id. */
  readonly pending: ReadonlyMap<SyncedKey, number>;
  readonly changes: SyncChange[];
  readonly counts: PageCounts;
  /** Write records already at the pulled revision too (a snapshot re-deriving outdated fields). */
  readonly rederive: boolean;
  /** The collection's skipped-log entries before this page, by wire id. */
  readonly logged: ReadonlyMap<string, StoredSkip>;
  /** Entries this page settles (dropped unless skipped again). */
  readonly touched: Set<string>;
  /** Entries this page writes. */
  readonly skips: Map<string, StoredSkip>;
  readonly conflicts: Omit<StoreConflictLogEntry, 'seq'>[];
}

/** The stored form of a pulled record: the server's value with its id and revision stamped in. */
export function storedValue(w: PageWrite, change: PutChange, key: SyncedKey): RecordValue {
  const { keyPath, revField, store, fromServer } = w.target;
  // The parsed page is ours: stamp id and revision in place rather than copying every record.
  let value: RecordValue = change.value;
  value[keyPath] = key;
  if (fromServer === undefined) value[revField] = change.rev;
  else {
    // A copy: the transform's result may be frozen or shared. Its id and revision are the server's.
    const transformed = runTransform('fromServer', fromServer, store, change.id, value);
    value = { ...transformed, [keyPath]: key, [revField]: change.rev };
  }
  return value;
}

/**
 * Writes `puts` without ever failing the page for one record: a transform that throws, a value
 * IndexedDB refuses (`DataCloneError`, `DataError`) or a unique value it cannot take puts the record
 * in the skipped-records log instead (its older stored copy is removed). Unique clashes are resolved
 * before writing (see {@link findClashes}); `retrying` entries of the log evict nobody. Then `then`.
 */
export function storePuts(w: PageWrite, puts: readonly Put[], retrying: boolean, then: () => void): void {
  const { scope } = w;
  const data = scope.store(w.target.store);
  const items: (Put & { value: RecordValue })[] = [];
  for (const put of puts) {
    try {
      items.push({ ...put, value: put.stored ? put.change.value : storedValue(w, put.change, put.key) });
    } catch (error) {
      skip(w, put, 'transform-failed', retrying, { message: messageOf(error) });
    }
  }
  const write = (lost: ReadonlySet<number>): void => {
    items.forEach((item, i) => {
      if (lost.has(i)) return;
      try {
        data.put(item.value);
      } catch (error) {
        // Thrown before a request exists: the transaction goes on. A full disk aborts it later.
        const name = (error as { name?: unknown }).name;
        if (name !== 'DataCloneError' && name !== 'DataError') throw error;
        skip(w, item, name === 'DataError' ? 'too-large' : 'not-clonable', retrying, {});
        return;
      }
      w.counts.change += 1;
      w.changes.push({ store: w.target.store, type: 'put', key: item.key });
      if (retrying) w.touched.add(item.change.id);
    });
    items.length = 0; // written: the values need not live until the commit
    then();
  };
  const unique = [...data.indexNames].map((name) => data.index(name)).filter((index) => index.unique);
  if (unique.length === 0 || items.length === 0) {
    write(new Set());
    return;
  }
  findClashes(scope, unique, items, w.pending, !retrying, ({ lost, evict, first }) => {
    const conflicts: { item: number; by: SyncedKey; index: IDBIndex }[] = [];
    lost.forEach(({ by, index, pending }, i) => {
      const item = items[i]!;
      const again = skip(w, item, 'unique-clash', retrying, { heldBy: by, message: index.name });
      if (again && pending && w.target.kind === 'transactional') conflicts.push({ item: i, by, index });
    });
    for (const key of first) data.delete(key);
    const holders = [...evict.keys(), ...conflicts.map((c) => c.by)];
    scope.all(
      holders.map((key) => data.get(key)),
      (values) => {
        [...evict].forEach(([holder, taker], i) => {
          const value = values[i] as RecordValue;
          const change = { id: encodeId(holder), rev: revOf(value, w.target.revField) ?? '', op: 'put' };
          skip(
            w,
            { change: { ...change, value } as PutChange, key: holder, local: value, stored: true },
            'unique-clash',
            false,
            {
              heldBy: taker,
            },
          );
        });
        conflicts.forEach(({ item, by, index }, i) => {
          const { change, key, local, value } = items[item]!;
          const { revField } = w.target;
          const holder = values[evict.size + i] as RecordValue | undefined;
          const entry: Omit<StoreConflictLogEntry, 'seq'> = {
            store: w.target.store,
            id: key,
            mutationId: w.pending.get(by)!,
            local: holder === undefined ? null : withoutRev(holder, revField),
            remote: withoutRev(value, revField),
            base: local === undefined ? null : withoutRev(local as RecordValue, revField),
            result: null,
            rule: 'unique-index',
            winner: 'client',
            conflictingFields: [index.keyPath].flat(),
            heldBy: by,
            baseRev: revOf(local as RecordValue | undefined, revField) ?? null,
            remoteRev: change.rev,
            at: Date.now(),
          };
          scope.on(scope.store(CONFLICT_STORE).add(entry), (seq) => {
            w.conflicts.push({ ...entry, seq } as StoreConflictLogEntry);
          });
        });
        write(new Set(lost.keys()));
      },
    );
  });
}

/**
 * Puts a record in the skipped log (replacing its entry) and removes its stored copy. Returns false
 * when a retry failed the same way as before (nothing is written then).
 */
export function skip(
  w: PageWrite,
  put: {
    readonly change: Change;
    readonly key?: SyncedKey;
    readonly local?: unknown;
    readonly stored?: true;
  },
  reason: SkipReason,
  retrying: boolean,
  extra: { readonly heldBy?: SyncedKey; readonly message?: string },
): boolean {
  const { change } = put;
  const heldBy = extra.heldBy === undefined ? undefined : encodeId(extra.heldBy);
  const schemaVersion = w.target.schemaVersion ?? 0;
  const old = w.logged.get(change.id);
  const same =
    old?.reason === reason &&
    old.heldBy === heldBy &&
    old.rev === change.rev &&
    old.schemaVersion === schemaVersion;
  if (retrying && same) return false;
  w.skips.set(change.id, {
    collection: w.target.store,
    id: change.id,
    rev: change.rev,
    reason,
    ...(extra.message === undefined ? {} : { message: extra.message }),
    ...(heldBy === undefined ? {} : { heldBy }),
    at: Date.now(),
    schemaVersion,
    ...(change.op === 'put' && reason !== 'too-large' ? { value: change.value } : {}),
    ...(put.stored ? { stored: true as const } : {}),
  });
  w.counts.skipped += 1;
  if (put.local !== undefined && put.key !== undefined) {
    w.scope.store(w.target.store).delete(put.key);
    w.changes.push({ store: w.target.store, type: 'delete', key: put.key });
  }
  return !same;
}

function messageOf(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause ?? error;
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}
