// Helpers shared by the IndexedDB tests: raw connections (no SDK), unique names, bounded waits.
import { IDBVersionChangeEvent as FakeVersionChangeEvent, forceCloseDatabase } from 'fake-indexeddb';
import { rawConnection } from '../../src/db/database-handle.js';
import type { HintStorage } from '../../src/db/eviction-hint.js';

let counter = 0;

/** A database name no other test uses. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Opens a raw connection (no SDK), optionally at a version with an upgrade callback. */
export function openRaw(
  name: string,
  version?: number,
  upgrade?: (db: IDBDatabase, tx: IDBTransaction, oldVersion: number) => void,
): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = version === undefined ? indexedDB.open(name) : indexedDB.open(name, version);
    request.onupgradeneeded = (event) => upgrade?.(request.result, request.transaction!, event.oldVersion);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** The structure of a database as plain data: store → keyPath, autoIncrement, indexes. */
export async function describeRaw(name: string): Promise<{
  version: number;
  stores: Record<string, { keyPath: unknown; autoIncrement: boolean; indexes: Record<string, unknown> }>;
}> {
  const db = await openRaw(name);
  try {
    const names = Array.from(db.objectStoreNames);
    const stores: Record<
      string,
      { keyPath: unknown; autoIncrement: boolean; indexes: Record<string, unknown> }
    > = {};
    if (names.length > 0) {
      const tx = db.transaction(names);
      for (const storeName of names) {
        const store = tx.objectStore(storeName);
        const indexes: Record<string, unknown> = {};
        for (const indexName of Array.from(store.indexNames)) {
          const index = store.index(indexName);
          indexes[indexName] = { keyPath: index.keyPath, unique: index.unique, multiEntry: index.multiEntry };
        }
        stores[storeName] = { keyPath: store.keyPath, autoIncrement: store.autoIncrement, indexes };
      }
    }
    return { version: db.version, stores };
  } finally {
    db.close();
  }
}

/**
 * Every record of a store in key order, read with a cursor through a raw connection (a cursor,
 * because indexeddbshim's `getAll()` is in insertion order).
 */
export async function readAllRaw(name: string, store: string): Promise<unknown[]> {
  const db = await openRaw(name);
  try {
    return await new Promise((resolve, reject) => {
      const records: unknown[] = [];
      const request = db.transaction(store).objectStore(store).openCursor();
      request.onsuccess = () => {
        const cursor = request.result;
        if (!cursor) return resolve(records);
        records.push(cursor.value);
        cursor.continue();
      };
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

/** Sorts records by a field, for comparing `getAll()` results (unordered on indexeddbshim). */
export function sortBy<T>(records: readonly T[], field: keyof T): T[] {
  return [...records].sort((a, b) => (a[field] < b[field] ? -1 : a[field] > b[field] ? 1 : 0));
}

/** Deletes a database with raw IndexedDB (as the browser's eviction would). */
export function deleteRaw(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
  });
}

/**
 * Rejects if `promise` has not settled within `ms`: a bound on a wait, so a regression shows up as
 * a failure naming what hung instead of a test timeout. Not a sleep: it resolves as soon as
 * `promise` does.
 */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}

/**
 * Closes a connection the way a browser does when it loses it (Safari's "connection to Indexed
 * Database server lost"): forced, with a `close` event. fake-indexeddb implements exactly that
 * (transactions in flight abort); indexeddbshim has no forced close, so there the connection is
 * closed and the event dispatched by hand (transactions in flight still complete).
 */
export function simulateConnectionLoss(db: IDBDatabase): void {
  if (backend() === 'fake-indexeddb') {
    forceCloseDatabase(db as unknown as Parameters<typeof forceCloseDatabase>[0]);
    return;
  }
  db.close();
  db.dispatchEvent(new Event('close'));
}

/**
 * Fires a `close` event at a connection without closing it: what a handle sees when Safari drops
 * its IndexedDB server and leaves the transactions on it unfinished.
 */
export function dispatchCloseEvent(db: IDBDatabase): void {
  if (backend() === 'fake-indexeddb') {
    // fake-indexeddb dispatches only its own event objects.
    const event = new FakeVersionChangeEvent('close') as unknown as Event & { eventPath: unknown[] };
    event.eventPath = [];
    db.dispatchEvent(event);
    return;
  }
  db.dispatchEvent(new Event('close'));
}

/** An in-memory `localStorage` stand-in (Node has none). */
export class MemoryStorage implements HintStorage {
  readonly #items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.#items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.#items.set(key, value);
  }
  removeItem(key: string): void {
    this.#items.delete(key);
  }
}

/** Which IndexedDB implementation the test runs on (set by the setup files in test/). */
function backend(): string | undefined {
  return (globalThis as { __IDB_BACKEND__?: string }).__IDB_BACKEND__;
}

/** A handle's own raw connection (opening it if needed): what the SDK's internals use. */
export function rawConnectionOf(handle: object): Promise<IDBDatabase> {
  return (handle as { [rawConnection](): Promise<IDBDatabase> })[rawConnection]();
}
