import type { TxScope } from '../idb/tx-scope.js';
import type { RecordValue } from '../protocol/messages.js';
import type { SyncedKey } from './record-key.js';

/** A record about to be written, in page order. */
export interface ClashItem {
  readonly key: SyncedKey;
  readonly value: RecordValue;
  /** The record's stored copy as read in this transaction, when known (`undefined`: none or not read). */
  readonly local?: unknown;
}

/** Where a record's unique value went, when it cannot take it. */
export interface Loss {
  /** The record keeping the value. */
  readonly by: SyncedKey;
  /** The unique index (a name), for messages and the conflict log. */
  readonly index: IDBIndex;
  /** The holder is a stored record with a local write not pushed yet. */
  readonly pending: boolean;
}

/** What to do before writing the items so that no put breaks a unique index. */
export interface Clashes {
  /** Items that cannot be written (by index in `items`). */
  readonly lost: Map<number, Loss>;
  /** Stored records outside the items that hold a value an item takes → the item's key. */
  readonly evict: Map<SyncedKey, SyncedKey>;
  /** Stored copies of items whose values another item takes: deleted before the puts. */
  readonly first: Set<SyncedKey>;
}

/**
 * Finds the clashes of `items` with the store's unique `indexes` BEFORE anything is written: a put
 * that breaks a unique index fails with a `ConstraintError` that aborts the whole transaction.
 * Reads, for every unique value an item takes, the key of the stored record holding it (the
 * transaction's view: records the page already deleted are gone). The rule (the server is the
 * source of truth; see docs/bad-records.md):
 * - two items taking the same value: the later one (the newer change) keeps it, the other is lost;
 * - a holder that is itself an item moves away: its stored copy goes first;
 * - a holder with an unpushed local write (`pending`) keeps the value (the item is lost);
 * - any other holder is stale or a duplicate: it is evicted (`evict`), or, when `evict` is false
 *   (a retry of skipped records), the item is lost.
 */
export function findClashes(
  scope: TxScope,
  indexes: readonly IDBIndex[],
  items: readonly ClashItem[],
  pending: ReadonlySet<SyncedKey> | ReadonlyMap<SyncedKey, unknown>,
  evict: boolean,
  done: (clashes: Clashes) => void,
): void {
  const clashes: Clashes = { lost: new Map(), evict: new Map(), first: new Set() };
  const mine = new Set(items.map((item) => item.key));
  const reads: { item: number; index: IDBIndex; request: IDBRequest<IDBValidKey | undefined> }[] = [];
  for (const index of indexes) {
    const winners = new Map<string, number>();
    items.forEach((item, i) => {
      const held = heldKeys(item.local, index);
      for (const key of indexKeys(item.value, index)) {
        const id = keyId(key);
        const earlier = winners.get(id);
        if (earlier !== undefined) lose(clashes, earlier, { by: item.key, index, pending: false });
        winners.set(id, i);
        // A value the record's own stored copy holds is held by the record itself (the index is
        // unique): nothing to read. Most updates keep their unique values.
        if (!held.has(id)) reads.push({ item: i, index, request: index.getKey(key) });
      }
    });
  }
  scope.all(
    reads.map((r) => r.request),
    (holders) => {
      const taken: [number, SyncedKey][] = [];
      reads.forEach(({ item, index }, i) => {
        const holder = holders[i] as SyncedKey | undefined;
        if (holder === undefined || holder === items[item]!.key) return;
        if (mine.has(holder)) clashes.first.add(holder);
        else if (evict && !pending.has(holder)) taken.push([item, holder]);
        else lose(clashes, item, { by: holder, index, pending: pending.has(holder) });
      });
      // A lost item takes nothing: only the others evict.
      for (const [item, holder] of taken) {
        if (!clashes.lost.has(item)) clashes.evict.set(holder, items[item]!.key);
      }
      // Lost to an item that lost the value too: the holder is the one that item lost to. A loss
      // names a later item (or a stored record) and is recorded before that item's own: resolving
      // the last ones first follows whole chains (a → c → d → stored holder).
      const at = new Map(items.map((item, i) => [item.key, i]));
      for (const [item, loss] of [...clashes.lost].reverse()) {
        const next = clashes.lost.get(at.get(loss.by)!);
        if (next?.index === loss.index) clashes.lost.set(item, { ...loss, by: next.by });
      }
      done(clashes);
    },
  );
}

/** The ids of the keys a stored copy holds in `index` (none when it is unknown). */
function heldKeys(local: unknown, index: IDBIndex): Set<string> {
  if (typeof local !== 'object' || local === null) return new Set();
  return new Set(indexKeys(local as RecordValue, index).map(keyId));
}

function lose(clashes: Clashes, item: number, loss: Loss): void {
  if (!clashes.lost.has(item)) clashes.lost.set(item, loss);
}

/** The valid keys `value` has in `index` (several for a multi-entry index over an array). */
export function indexKeys(value: RecordValue, index: IDBIndex): IDBValidKey[] {
  const { keyPath, multiEntry } = index;
  const key = Array.isArray(keyPath) ? keyPath.map((p) => valueAt(value, p)) : valueAt(value, keyPath);
  const candidates = multiEntry && Array.isArray(key) ? key : [key];
  const seen = new Set<string>();
  return candidates.filter((k): k is IDBValidKey => {
    if (!isValidKey(k) || seen.has(keyId(k))) return false;
    seen.add(keyId(k));
    return true;
  });
}

function valueAt(value: unknown, path: string): unknown {
  if (path === '') return value;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function isValidKey(key: unknown): boolean {
  try {
    IDBKeyRange.only(key);
    return true;
  } catch {
    return false; // not indexed: no clash possible
  }
}

/** A string equal for equal IndexedDB keys (and only for them). */
function keyId(key: unknown): string {
  if (Array.isArray(key)) return `[${key.map(keyId).join(',')}]`;
  if (key instanceof Date) return `d${key.getTime()}`;
  if (typeof key === 'number') return `n${key}`;
  if (typeof key === 'string') return JSON.stringify(key);
  const view = ArrayBuffer.isView(key) ? key : new Uint8Array(key as ArrayBuffer);
  return `b${new Uint8Array(view.buffer, view.byteOffset, view.byteLength).join()}`;
}
