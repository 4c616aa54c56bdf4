import type { KeyPath } from './schema-types.js';

/** Evaluates an IndexedDB key path on a value (undefined when a step is missing). */
export function keyOf(value: unknown, keyPath: KeyPath): unknown {
  if (typeof keyPath !== 'string') return keyPath.map((path) => keyOf(value, path));
  if (keyPath === '') return value;
  let current: unknown = value;
  for (const part of keyPath.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** True when `a` and `b` are the same valid key (`cmp` is the factory's `indexedDB.cmp`). */
export function sameKey(cmp: (a: unknown, b: unknown) => number, a: unknown, b: unknown): boolean {
  try {
    return cmp(a, b) === 0;
  } catch {
    return false; // not a valid key at all
  }
}

/** The live key path of a store as the schema types describe it (arrays copied). */
export function liveKeyPath(store: IDBObjectStore): KeyPath | null {
  const { keyPath } = store;
  return keyPath === null || typeof keyPath === 'string' ? keyPath : Array.from(keyPath);
}
