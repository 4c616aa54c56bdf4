import { InvalidRecordError } from '../errors/invalid-record-error.js';
import type { RecordValue } from '../protocol/messages.js';
import type { KeyType } from '../upversion/schema-types.js';
import {
  CHECKPOINT_STORE,
  type CheckpointRecord,
  OUTBOX_BY_RECORD,
  OUTBOX_STORE,
  type OutboxEntry,
  SYNC_STATE_KEYS,
  SYNC_STATE_STORE,
} from './internal-stores.js';
import { decideLocalWrite, type LocalWrite } from './outbox-model.js';
import { checkWriteKey, compareIds, encodeId, type SyncedKey } from './record-key.js';

/** The stores a transaction needs besides the app's to record synced writes. */
export const OUTBOX_STORES = [OUTBOX_STORE, SYNC_STATE_STORE, CHECKPOINT_STORE] as const;

/** What the writer needs to know of a synced store. */
export interface TrackedStore {
  readonly name: string;
  /** The store's key path: a single top-level field. */
  readonly keyPath: string;
  readonly keyType: KeyType;
}

/** A store's pending outbox entries, read at once for a bulk write. */
interface PendingScan {
  readonly byKey: Map<SyncedKey, OutboxEntry[]>;
  /** Records written in this transaction since: their entries are looked up again. */
  readonly written: Set<SyncedKey>;
}

/** A store's stored records in the key range of a bulk write, read at once. */
interface RecordScan {
  readonly byKey: Map<SyncedKey, Record<string, unknown>>;
  /** Records written in this transaction since: they are read again. */
  readonly written: Set<SyncedKey>;
}

/** A scan under way (its waiters), done, or given up (`undefined`: each write reads its own). */
type Scan<T> = T | ((scan: T | undefined) => void)[] | undefined;

/** One record a committed transaction wrote through the writer. */
export interface TrackedChange {
  readonly store: string;
  readonly type: 'put' | 'delete';
  readonly key: SyncedKey;
}

/**
 * Records writes to synced stores in the outbox, inside the app's own IndexedDB transaction, so the
 * record and the intent to push it commit (or abort) together. One writer per transaction attempt.
 *
 * Each write reads what it is decided on — the stored record, the record's pending outbox entries
 * and (once per transaction) the outbox send marker and the store's checkpoint, all issued at once
 * (a bulk write reads its key range's records and entries in one request each) — then writes the
 * record and its outbox entry.
 * Follow-up requests are issued from request callbacks, never after an `await`: the only pattern
 * that keeps a transaction alive on Safari and indexeddbshim. Writes to the same record in one
 * transaction run one after the other, so each sees the one before.
 */
export class OutboxWriter {
  readonly #tx: IDBTransaction;
  readonly #revField: string;
  readonly #now = Date.now();
  /** Records with a write under way → writes of the same record waiting for it. */
  readonly #busy = new Map<string, (() => void)[]>();
  /**
   * Stores whose pending entries were read at once for a bulk write: the scan, waiters while it
   * runs, or `undefined` when there were too many to read (each write looks up its own).
   */
  readonly #pending = new Map<string, Scan<PendingScan>>();
  /** Stores whose records in a bulk write's key range were read at once (as {@link #pending}). */
  readonly #records = new Map<string, Scan<RecordScan>>();
  /** Reads made once per transaction (the send marker, each store's checkpoint): result or waiters. */
  readonly #once = new Map<string, { readonly value: unknown } | ((value: unknown) => void)[]>();
  /** Records written, in order, for the handle to announce after the commit. */
  readonly changes: TrackedChange[] = [];
  #failure: { readonly error: unknown } | undefined;

  constructor(tx: IDBTransaction, revField: string) {
    this.#tx = tx;
    this.#revField = revField;
  }

  /** The first error a write's callback threw (the transaction was aborted with it). */
  get failure(): { readonly error: unknown } | undefined {
    return this.#failure;
  }

  /**
   * Puts (or adds) a record and records it in the outbox. Validates the key and copies the value at
   * once (as IndexedDB does): a key of the wrong type throws `InvalidKeyError` here, and later
   * changes to `value` do not reach the write. Resolves with the key once the record is written.
   */
  put(store: TrackedStore, value: unknown, mode: 'put' | 'add'): Promise<SyncedKey> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new InvalidRecordError(store.name, 'a synced record must be an object');
    }
    const key = checkWriteKey(store.name, (value as Record<string, unknown>)[store.keyPath], store.keyType);
    const copy = structuredClone(value) as RecordValue;
    if (Object.hasOwn(copy, this.#revField)) delete copy[this.#revField];
    return this.#queue(store, { store: store.name, id: key, op: 'put', value: copy }, mode);
  }

  /** Deletes a record and records the delete in the outbox; resolves once it is deleted. */
  delete(store: TrackedStore, key: unknown): Promise<void> {
    const checked = checkWriteKey(store.name, key, store.keyType);
    return this.#queue(store, { store: store.name, id: checked, op: 'delete' }, 'put').then(() => undefined);
  }

  /**
   * Before many writes to one store: reads the store's pending outbox entries and its stored records
   * in the writes' key range, one request each (when there are not many more of them than writes),
   * so that each write finds what it is decided on there instead of reading it one request each. A
   * single write reads directly.
   */
  prepareMany(store: TrackedStore, keys: readonly unknown[]): void {
    if (this.#pending.has(store.name) || keys.length === 0) return;
    const limit = Math.max(64, 4 * keys.length);
    const outboxRange = IDBKeyRange.bound([store.name], [store.name, []]);
    scan(
      this.#pending,
      store.name,
      this.#tx.objectStore(OUTBOX_STORE).index(OUTBOX_BY_RECORD),
      outboxRange,
      limit,
      (entries: OutboxEntry[]) => {
        const byKey = new Map<SyncedKey, OutboxEntry[]>();
        for (const entry of entries) {
          const list = byKey.get(entry.id);
          if (list === undefined) byKey.set(entry.id, [entry]);
          else list.push(entry);
        }
        return { byKey, written: new Set<SyncedKey>() };
      },
    );
    // A key of another type (or not a key) is refused by its write: no range then.
    const first = keys[0];
    if (!isScannableKey(first)) return;
    let low = first;
    let high = first;
    for (const key of keys) {
      if (!isScannableKey(key) || typeof key !== typeof low) return;
      if (key < low) low = key;
      if (key > high) high = key;
    }
    const records = IDBKeyRange.bound(low, high);
    scan(
      this.#records,
      store.name,
      this.#tx.objectStore(store.name),
      records,
      limit,
      (values: Record<string, unknown>[]) => {
        const byKey = new Map<SyncedKey, Record<string, unknown>>();
        for (const value of values) byKey.set(value[store.keyPath] as SyncedKey, value);
        return { byKey, written: new Set<SyncedKey>() };
      },
    );
  }

  /** Deletes every record in a key range, each recorded in the outbox as its own delete. */
  deleteRange(store: TrackedStore, range: IDBKeyRange): Promise<void> {
    return this.#promise<void>((resolve, reject) => {
      const request = this.#tx.objectStore(store.name).getAllKeys(range);
      request.onerror = () => reject(request.error);
      request.onsuccess = this.#guarded(reject, () => {
        const deletes = (request.result as SyncedKey[]).map((key) => this.delete(store, key));
        Promise.all(deletes).then(() => resolve(), reject);
      });
    });
  }

  #queue(store: TrackedStore, write: LocalWrite, mode: 'put' | 'add'): Promise<SyncedKey> {
    return this.#promise<SyncedKey>((resolve, reject) => {
      const slot = `${store.name}\u0000${typeof write.id}:${String(write.id)}`;
      const run = () => this.#write(store, write, mode, resolve, reject, () => this.#release(slot));
      const waiting = this.#busy.get(slot);
      if (waiting === undefined) {
        this.#busy.set(slot, []);
        run();
      } else {
        waiting.push(run);
      }
    });
  }

  #release(slot: string): void {
    const next = this.#busy.get(slot)?.shift();
    if (next === undefined) this.#busy.delete(slot);
    else next();
  }

  #write(
    store: TrackedStore,
    write: LocalWrite,
    mode: 'put' | 'add',
    resolve: (key: SyncedKey) => void,
    reject: (error: unknown) => void,
    done: () => void,
  ): void {
    let left = 4;
    let stored: Record<string, unknown> | undefined;
    let sentUpTo = 0;
    let entries: OutboxEntry[] = [];
    let checkpoint: CheckpointRecord | undefined;
    const fail = (error: unknown) => {
      reject(error);
      done();
    };
    // Every read is issued at once (one round trip to the engine); the checkpoint matters only
    // for a record neither stored nor pending (maybe cleared by a red sync not refetched yet).
    const ready = this.#guarded(fail, () => {
      left -= 1;
      if (left > 0) return;
      entries.sort((a, b) => a.mutationId - b.mutationId);
      const cleared =
        stored === undefined && entries.length === 0 && clearedByRedSync(checkpoint, encodeId(write.id));
      this.#apply(store, write, mode, { stored, entries, sentUpTo, cleared }, resolve, fail, done);
    });
    this.#stored(store.name, write.id, fail, (found) => {
      stored = found;
      ready();
    });
    this.#entries(store.name, write.id, fail, (found) => {
      entries = found;
      ready();
    });
    this.#readOnce(
      'send-marker',
      () => this.#tx.objectStore(SYNC_STATE_STORE).get(SYNC_STATE_KEYS.outbox),
      (marker) => {
        sentUpTo = (marker as { sentUpTo?: number } | undefined)?.sentUpTo ?? 0;
        ready();
      },
    );
    this.#readOnce(
      `checkpoint:${store.name}`,
      () => this.#tx.objectStore(CHECKPOINT_STORE).get(store.name),
      (found) => {
        checkpoint = found as CheckpointRecord | undefined;
        ready();
      },
    );
  }

  /** Writes the record and its outbox entry as {@link decideLocalWrite} decides. */
  #apply(
    store: TrackedStore,
    write: LocalWrite,
    mode: 'put' | 'add',
    read: {
      stored: Record<string, unknown> | undefined;
      entries: OutboxEntry[];
      sentUpTo: number;
      cleared: boolean;
    },
    resolve: (key: SyncedKey) => void,
    fail: (error: unknown) => void,
    done: () => void,
  ): void {
    const finish = (request: IDBRequest) => {
      request.onerror = () => fail(request.error);
      request.onsuccess = () => {
        this.changes.push({ store: store.name, type: write.op, key: write.id });
        resolve(write.id);
        done();
      };
    };
    const decision = decideLocalWrite(write, {
      current: read.stored,
      entries: read.entries,
      sentUpTo: read.sentUpTo,
      revField: this.#revField,
      now: this.#now,
      cleared: read.cleared,
    });
    // A later write of the record in this transaction must see what is written now.
    for (const scans of [this.#pending, this.#records]) {
      const scan = scans.get(store.name);
      if (scan !== undefined && !Array.isArray(scan)) scan.written.add(write.id);
    }
    const data = this.#tx.objectStore(store.name);
    finish(
      decision.record === null
        ? data.delete(write.id)
        : mode === 'add'
          ? data.add(decision.record)
          : data.put(decision.record),
    );
    const outbox = this.#tx.objectStore(OUTBOX_STORE);
    const entry = decision.outbox;
    if (entry.kind === 'add') outbox.add(entry.entry);
    else if (entry.kind === 'replace') outbox.put(entry.entry);
    else if (entry.kind === 'remove') outbox.delete(entry.mutationId);
  }

  /** Calls `then` with the stored record: from a bulk scan, or read. */
  #stored(
    store: string,
    key: SyncedKey,
    fail: (error: unknown) => void,
    then: (stored: Record<string, unknown> | undefined) => void,
  ): void {
    const read = () => {
      const request = this.#tx.objectStore(store).get(key);
      request.onsuccess = () => then(request.result as Record<string, unknown> | undefined);
      request.onerror = () => fail(request.error);
    };
    fromScan(this.#records, store, key, read, (scan) => then(scan.byKey.get(key)));
  }

  /** Calls `then` with the record's outbox entries: from a bulk scan, or looked up. */
  #entries(
    store: string,
    key: SyncedKey,
    fail: (error: unknown) => void,
    then: (entries: OutboxEntry[]) => void,
  ): void {
    const lookup = () => {
      const request = this.#tx.objectStore(OUTBOX_STORE).index(OUTBOX_BY_RECORD).getAll([store, key]);
      request.onsuccess = () => then(request.result as OutboxEntry[]);
      request.onerror = () => fail(request.error);
    };
    fromScan(this.#pending, store, key, lookup, (scan) => then([...(scan.byKey.get(key) ?? [])]));
  }

  /** Calls `then` with the result of `read`, made at most once per transaction under `key`. */
  #readOnce(key: string, read: () => IDBRequest, then: (value: unknown) => void): void {
    const known = this.#once.get(key);
    if (Array.isArray(known)) known.push(then);
    else if (known !== undefined) then(known.value);
    else {
      const waiters = [then];
      this.#once.set(key, waiters);
      const request = read();
      request.onsuccess = () => {
        this.#once.set(key, { value: request.result });
        for (const waiter of waiters) waiter(request.result);
      };
    }
  }

  /** A promise whose rejection is observed here: the transaction's own outcome reports the error. */
  #promise<T>(executor: (resolve: (value: T) => void, reject: (error: unknown) => void) => void): Promise<T> {
    const promise = new Promise<T>(executor);
    promise.catch(() => undefined);
    return promise;
  }

  /** A request callback that aborts the transaction with whatever `fn` throws. */
  #guarded(fail: (error: unknown) => void, fn: () => void): () => void {
    return () => this.#run(fail, fn);
  }

  #run(fail: (error: unknown) => void, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.#failure ??= { error };
      fail(error);
      try {
        this.#tx.abort();
      } catch {
        // already finishing
      }
    }
  }
}

/**
 * Starts reading a store's records in `range` at once into `scans` under `name`: at most `limit`;
 * more than that gives the scan up (`undefined`: each write reads its own).
 */
function scan<T, V>(
  scans: Map<string, Scan<T>>,
  name: string,
  source: IDBObjectStore | IDBIndex,
  range: IDBKeyRange,
  limit: number,
  build: (values: V[]) => T,
): void {
  const waiters: ((scan: T | undefined) => void)[] = [];
  scans.set(name, waiters);
  const settle = (result: T | undefined) => {
    scans.set(name, result);
    for (const waiter of waiters) waiter(result);
  };
  const all = source.getAll(range, limit + 1);
  all.onsuccess = () => {
    const values = all.result as V[];
    settle(values.length > limit ? undefined : build(values));
  };
  // A failed read fails the transaction; the writes waiting on it read for themselves meanwhile.
  all.onerror = () => settle(undefined);
}

function isScannableKey(key: unknown): key is SyncedKey {
  return typeof key === 'string' || (typeof key === 'number' && Number.isFinite(key));
}

/**
 * Calls `found` with the store's scan when one holds the record's current state, else `read`: no
 * scan, a scan given up, or a record this transaction wrote since the scan.
 */
function fromScan<T extends { readonly written: Set<SyncedKey> }>(
  scans: Map<string, Scan<T>>,
  name: string,
  key: SyncedKey,
  read: () => void,
  found: (scan: T) => void,
): void {
  const use = (scan: T | undefined) => {
    if (scan === undefined || scan.written.has(key)) read();
    else found(scan);
  };
  const current = scans.get(name);
  if (Array.isArray(current)) current.push(use);
  else if (scans.has(name)) use(current as T | undefined);
  else read();
}

/**
 * True when a red sync has cleared the store and not yet refetched the record with wire id `id`:
 * its snapshot has written pages up to `cursor`, and the id sorts after it.
 */
export function clearedByRedSync(checkpoint: CheckpointRecord | undefined, id: string): boolean {
  return (
    checkpoint?.phase === 'snapshot' &&
    checkpoint.snapshotMode === 'red' &&
    checkpoint.cursor !== null &&
    compareIds(id, checkpoint.cursor) > 0
  );
}
