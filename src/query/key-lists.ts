import { compareKeys } from './compare-keys.js';
import { onResult, onResults, type Steps } from './idb-steps.js';
import type { IndexCondition } from './plan-lookup.js';

/**
 * A condition with at most this many records is narrow: they are read at once and sorted in
 * memory. Above it, a page walks an order.
 */
export const MATERIALIZE_LIMIT = 1000;

/** What key lists need of a read: its store and where failures go. */
export interface KeyListRead extends Steps {
  readonly store: IDBObjectStore;
}

/** Every primary key of every condition. */
export function fullKeyLists(
  read: KeyListRead,
  conditions: readonly IndexCondition[],
  done: (lists: IDBValidKey[][]) => void,
): void {
  onResults(
    read,
    conditions.map((c) => c.index.getAllKeys(c.query)),
    done,
  );
}

/** Every record under a condition, with its primary key (a record once, even under several keys of a range). */
export function readRecords(
  walk: KeyListRead,
  condition: IndexCondition,
  done: (records: { primaryKey: IDBValidKey; value: unknown }[]) => void,
): void {
  const keyPath = walk.store.keyPath;
  if (typeof keyPath === 'string') {
    // One request for the values; their primary keys are read from the key path.
    const parts = keyPath.split('.');
    onResult(walk, condition.index.getAll(condition.query), (values: unknown[]) => {
      const seen = new Set<unknown>();
      const records: { primaryKey: IDBValidKey; value: unknown }[] = [];
      for (const value of values) {
        let primaryKey: unknown = value;
        for (const part of parts) primaryKey = (primaryKey as Record<string, unknown>)[part];
        const id = keyId(primaryKey as IDBValidKey);
        if (seen.has(id)) continue;
        seen.add(id);
        records.push({ primaryKey: primaryKey as IDBValidKey, value });
      }
      done(records);
    });
    return;
  }
  onResult(walk, condition.index.getAllKeys(condition.query), (keys) => {
    const unique = intersect([keys]);
    readValues(walk, walk.store, unique, (values) =>
      done(unique.map((primaryKey, i) => ({ primaryKey, value: values[i] }))),
    );
  });
}

/** Primary keys sorted in IndexedDB's order (numbers and strings natively, else by `compareKeys`). */
export function sortKeys(keys: readonly IDBValidKey[]): IDBValidKey[] {
  if (keys.every((k) => typeof k === 'number')) return [...(keys as number[])].sort((a, b) => a - b);
  if (keys.every((k) => typeof k === 'string')) return [...(keys as string[])].sort();
  return [...keys].sort(compareKeys);
}

/** The index of the first key after `key` in sorted `keys`. */
export function firstAfter(keys: readonly IDBValidKey[], key: IDBValidKey): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(keys[mid], key) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The primary keys in every list (each list may repeat keys and come in any order). */
export function intersect(lists: readonly IDBValidKey[][]): IDBValidKey[] {
  if (lists.length === 0) return [];
  const sorted = [...lists].sort((a, b) => a.length - b.length);
  const seen = new Set<unknown>();
  let keys = (sorted[0] as IDBValidKey[]).filter((k) => {
    const id = keyId(k);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  for (const list of sorted.slice(1)) {
    if (keys.length === 0) break;
    const set = new Set(list.map(keyId));
    keys = keys.filter((k) => set.has(keyId(k)));
  }
  return keys;
}

/** A value identifying a key in a `Set`: strings and numbers as they are, other keys encoded. */
export function keyId(key: IDBValidKey): unknown {
  if (typeof key === 'number') return key;
  if (typeof key === 'string') return key.startsWith('\u0000') ? `\u0000s${key}` : key;
  return `\u0000o${JSON.stringify(key, (_, v: unknown) => (v instanceof Date ? { d: v.getTime() } : v))}`;
}

/** The records of `keys`, in the same order (`undefined` for a key deleted meanwhile). */
export function readValues(
  steps: Steps,
  store: IDBObjectStore,
  keys: readonly IDBValidKey[],
  done: (values: unknown[]) => void,
): void {
  onResults(
    steps,
    keys.map((key) => store.get(key)),
    done,
  );
}
