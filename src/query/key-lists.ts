import { compareKeys } from './compare-keys.js';
import { onResult, onResults, type Steps } from './idb-steps.js';
import type { IndexCondition } from './plan-lookup.js';

/**
 * Up to this many primary keys are read per condition to find out whether it is narrow; at most
 * this many candidates are read and sorted in memory. Above it, a page walks an ordered key list.
 */
export const MATERIALIZE_LIMIT = 1000;

/** What key lists need of a read: its store, the backend, and where failures go. */
export interface KeyListRead extends Steps {
  readonly store: IDBObjectStore;
  /** indexeddbshim: no capped reads (every key list is read whole). */
  readonly keyListsOnly: boolean;
}

/**
 * Up to {@link MATERIALIZE_LIMIT} + 1 primary keys of each condition (every key on indexeddbshim): a
 * list shorter than that is all of its condition's keys, and the condition is narrow.
 */
export function cappedKeyLists(
  read: KeyListRead,
  conditions: readonly IndexCondition[],
  done: (lists: IDBValidKey[][], narrow: boolean[]) => void,
): void {
  const cap = read.keyListsOnly ? undefined : MATERIALIZE_LIMIT + 1;
  onResults(
    read,
    conditions.map((c) => c.index.getAllKeys(c.query, cap)),
    (lists) =>
      done(
        lists,
        lists.map((l) => cap === undefined || l.length < cap),
      ),
  );
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

/**
 * The primary keys that may satisfy every condition: when some conditions are narrow, the
 * intersection of those (`exact` false unless all are: the others are left to a check in memory);
 * else every key of every condition, intersected (`exact` true). Without conditions: every primary key.
 */
export function candidateKeys(
  read: KeyListRead,
  conditions: readonly IndexCondition[],
  done: (keys: IDBValidKey[], exact: boolean) => void,
): void {
  if (conditions.length === 0) {
    onResult(read, read.store.getAllKeys(), (keys) => done(keys, true));
    return;
  }
  cappedKeyLists(read, conditions, (capped, narrow) => {
    const lists = capped.filter((_, i) => narrow[i]);
    if (lists.length > 0) done(intersect(lists), lists.length === conditions.length);
    else fullKeyLists(read, conditions, (all) => done(intersect(all), true));
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
