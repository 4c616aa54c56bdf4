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
 * and (once per transaction) the outbox send marker — then writes the outbox entry and the record.
 * Follow-up requests are issued from request callbacks, never after an `await`: the only pattern
 * that keeps a transaction alive on Safari and indexeddbshim. Writes to the same record in one
 * transaction run one after the other, so each sees the one before.
 */
export class OutboxWriter {
  readonly #tx: IDBTransaction;
  readonly #revField: string;
  readonly #now = Date.now();
  /** The send marker once read; `undefined` before. */
  #sentUpTo: number | undefined;
  #markerWaiters: ((sentUpTo: number) => void)[] | undefined;
  /** Records with a write under way → writes of the same record waiting for it. */
  readonly #busy = new Map<string, (() => void)[]>();
  /**
   * Stores whose pending entries were read at once for a bulk write: the scan, waiters while it
   * runs, or `undefined` when there were too many to read (each write looks up its own).
   */
  readonly #pending = new Map<
    string,
    PendingScan | ((scan: PendingScan | undefined) => void)[] | undefined
  >();
  readonly #checkpoints = new Map<string, CheckpointRecord | undefined>();
  readonly #checkpointWaiters = new Map<string, ((checkpoint: CheckpointRecord | undefined) => void)[]>();
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
   * Before many writes to one store: reads the store's pending outbox entries in one request (when
   * there are not many more of them than `expected` writes), so that each write finds its record's
   * entries there instead of looking them up one request each. A single write looks up directly.
   */
  scanPending(store: TrackedStore, expected: number): void {
    if (this.#pending.has(store.name)) return;
    const waiters: ((scan: PendingScan | undefined) => void)[] = [];
    this.#pending.set(store.name, waiters);
    const settle = (scan: PendingScan | undefined) => {
      this.#pending.set(store.name, scan);
      for (const waiter of waiters) waiter(scan);
    };
    const range = IDBKeyRange.bound([store.name], [store.name, []]);
    const index = this.#tx.objectStore(OUTBOX_STORE).index(OUTBOX_BY_RECORD);
    const counted = index.count(range);
    counted.onsuccess = () => {
      if (counted.result > Math.max(64, 4 * expected)) {
        settle(undefined);
        return;
      }
      const all = index.getAll(range);
      all.onsuccess = () => {
        const byKey = new Map<SyncedKey, OutboxEntry[]>();
        for (const entry of all.result as OutboxEntry[]) {
          const list = byKey.get(entry.id);
          if (list === undefined) byKey.set(entry.id, [entry]);
          else list.push(entry);
        }
        settle({ byKey, written: new Set() });
      };
    };
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
    const data = this.#tx.objectStore(store.name);
    const current = data.get(write.id);
    let left = 3;
    let sentUpTo = 0;
    let entries: OutboxEntry[] = [];
    const fail = (error: unknown) => {
      reject(error);
      done();
    };
    const ready = this.#guarded(fail, () => {
      left -= 1;
      if (left > 0) return;
      entries.sort((a, b) => a.mutationId - b.mutationId);
      const stored = current.result as Record<string, unknown> | undefined;
      if (stored !== undefined || entries.length > 0) {
        this.#apply(store, write, mode, { stored, entries, sentUpTo, cleared: false }, resolve, fail, done);
        return;
      }
      // A record neither stored nor pending: maybe cleared by a red sync that has not refetched it.
      this.#checkpoint(store.name, (checkpoint) => {
        const cleared = clearedByRedSync(checkpoint, encodeId(write.id));
        this.#apply(store, write, mode, { stored, entries, sentUpTo, cleared }, resolve, fail, done);
      });
    });
    current.onsuccess = ready;
    current.onerror = () => fail(current.error);
    this.#entries(store.name, write.id, fail, (found) => {
      entries = found;
      ready();
    });
    this.#marker((value) => {
      sentUpTo = value;
      ready();
    });
  }

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
    this.#run(fail, () => {
      const decision = decideLocalWrite(write, {
        current: read.stored,
        entries: read.entries,
        sentUpTo: read.sentUpTo,
        revField: this.#revField,
        now: this.#now,
        cleared: read.cleared,
      });
      const outbox = this.#tx.objectStore(OUTBOX_STORE);
      // A later write of the record in this transaction must see the entry written now.
      const scan = this.#pending.get(store.name);
      if (decision.outbox.kind !== 'none' && scan !== undefined && !Array.isArray(scan)) {
        scan.written.add(write.id);
      }
      switch (decision.outbox.kind) {
        case 'add':
          outbox.add(decision.outbox.entry);
          break;
        case 'replace':
          outbox.put(decision.outbox.entry);
          break;
        case 'remove':
          outbox.delete(decision.outbox.mutationId);
          break;
        case 'none':
          break;
      }
      const data = this.#tx.objectStore(store.name);
      const request =
        decision.record === null
          ? data.delete(write.id)
          : mode === 'add'
            ? data.add(decision.record)
            : data.put(decision.record);
      request.onerror = () => fail(request.error);
      request.onsuccess = () => {
        this.changes.push({ store: store.name, type: write.op, key: write.id });
        resolve(write.id);
        done();
      };
    });
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
    const fromScan = (scan: PendingScan | undefined) => {
      // A record this transaction already wrote has entries the scan did not see: look them up.
      if (scan === undefined || scan.written.has(key)) lookup();
      else then([...(scan.byKey.get(key) ?? [])]);
    };
    const pending = this.#pending.get(store);
    if (Array.isArray(pending)) pending.push(fromScan);
    else if (this.#pending.has(store)) fromScan(pending);
    else lookup();
  }

  /** Calls `then` with the outbox send marker, read once per transaction. */
  #marker(then: (sentUpTo: number) => void): void {
    if (this.#sentUpTo !== undefined) {
      then(this.#sentUpTo);
      return;
    }
    if (this.#markerWaiters !== undefined) {
      this.#markerWaiters.push(then);
      return;
    }
    this.#markerWaiters = [then];
    const request = this.#tx.objectStore(SYNC_STATE_STORE).get(SYNC_STATE_KEYS.outbox);
    request.onsuccess = () => {
      const sentUpTo = (request.result as { sentUpTo?: number } | undefined)?.sentUpTo ?? 0;
      this.#sentUpTo = sentUpTo;
      const waiters = this.#markerWaiters ?? [];
      this.#markerWaiters = undefined;
      for (const waiter of waiters) waiter(sentUpTo);
    };
  }

  /** Calls `then` with the store's sync checkpoint, read at most once per transaction. */
  #checkpoint(store: string, then: (checkpoint: CheckpointRecord | undefined) => void): void {
    if (this.#checkpoints.has(store)) {
      then(this.#checkpoints.get(store));
      return;
    }
    const waiting = this.#checkpointWaiters.get(store);
    if (waiting !== undefined) {
      waiting.push(then);
      return;
    }
    this.#checkpointWaiters.set(store, [then]);
    const request = this.#tx.objectStore(CHECKPOINT_STORE).get(store);
    request.onsuccess = () => {
      const checkpoint = request.result as CheckpointRecord | undefined;
      this.#checkpoints.set(store, checkpoint);
      const waiters = this.#checkpointWaiters.get(store) ?? [];
      this.#checkpointWaiters.delete(store);
      for (const waiter of waiters) waiter(checkpoint);
    };
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
