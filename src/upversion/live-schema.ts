import type { KeyPath } from './schema-types.js';

/** An index as the live database describes it. */
export interface LiveIndex {
  readonly keyPath: KeyPath;
  readonly unique: boolean;
  readonly multiEntry: boolean;
}

/** A store as the live database describes it. */
export interface LiveStore {
  readonly keyPath: KeyPath | null;
  readonly autoIncrement: boolean;
  readonly indexes: Readonly<Record<string, LiveIndex>>;
}

/** The live structure of a database: every store with its indexes. */
export type LiveSchema = Readonly<Record<string, LiveStore>>;

/**
 * Reads the structure of `db` through `tx`, which must cover every store to read (a versionchange
 * transaction covers all). Property reads only: no request is issued.
 */
export function readLiveSchema(db: IDBDatabase, tx: IDBTransaction, only?: readonly string[]): LiveSchema {
  const schema: Record<string, LiveStore> = {};
  for (const name of Array.from(db.objectStoreNames)) {
    if (only && !only.includes(name)) continue;
    const store = tx.objectStore(name);
    const indexes: Record<string, LiveIndex> = {};
    for (const indexName of Array.from(store.indexNames)) {
      const index = store.index(indexName);
      indexes[indexName] = {
        keyPath: normalizeKeyPath(index.keyPath),
        unique: index.unique,
        multiEntry: index.multiEntry,
      };
    }
    schema[name] = {
      keyPath: store.keyPath === null ? null : normalizeKeyPath(store.keyPath),
      autoIncrement: store.autoIncrement,
      indexes,
    };
  }
  return schema;
}

/** Browsers return compound key paths as arrays (older ones as a DOMStringList). */
function normalizeKeyPath(keyPath: string | Iterable<string>): KeyPath {
  return typeof keyPath === 'string' ? keyPath : Array.from(keyPath);
}

/** True when two key paths are the same path. */
export function sameKeyPath(a: KeyPath | null, b: KeyPath | null): boolean {
  if (a === null || b === null || typeof a === 'string' || typeof b === 'string') return a === b;
  return a.length === b.length && a.every((part, i) => part === b[i]);
}
