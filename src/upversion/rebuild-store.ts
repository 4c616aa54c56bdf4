import type { TxScope } from '../idb/tx-scope.js';
import type { DeclaredMigration, DeclaredStore } from './declare-schema.js';
import { forEachPage } from './for-each-page.js';
import { liveKeyPath } from './key-path.js';
import { type MigrationSettings, migratePage } from './migrate-records.js';
import { REMOVE_RECORD } from './schema-types.js';

/** Name of the scratch store a rebuild copies through; never a declared name (`__` prefix). */
export const rebuildScratchName = (store: string): string => `__rebuild__${store}`;

/** Creates a store with its indexes, as declared. */
export function createStore(db: IDBDatabase, store: DeclaredStore): IDBObjectStore {
  const created = db.createObjectStore(
    store.name,
    store.keyPath === null
      ? { autoIncrement: store.autoIncrement }
      : { keyPath: copyKeyPath(store.keyPath), autoIncrement: store.autoIncrement },
  );
  for (const index of Object.values(store.indexes)) {
    created.createIndex(index.name, copyKeyPath(index.keyPath), {
      unique: index.unique,
      multiEntry: index.multiEntry,
    });
  }
  return created;
}

/** IndexedDB wants a mutable array for compound paths. */
export function copyKeyPath(keyPath: string | readonly string[]): string | string[] {
  return typeof keyPath === 'string' ? keyPath : [...keyPath];
}

/**
 * Rebuilds a store whose keyPath or autoIncrement changed, keeping its records: they are copied to a
 * scratch store, the store is recreated as declared, and the records are added back (through this
 * version's migration, if it has one for the store, so it can produce the new key). Adding, not
 * putting, makes two records that map to the same new key fail the upgrade instead of losing one.
 * Memory use is one page, whatever the store's size.
 */
export function rebuildStore(
  run: TxScope,
  db: IDBDatabase,
  store: DeclaredStore,
  migration: DeclaredMigration | undefined,
  version: number,
  settings: MigrationSettings,
  done: () => void,
): void {
  const scratch = rebuildScratchName(store.name);
  // The scratch records carry their old key ({ k, v }), so pages of both copies can be checked.
  db.createObjectStore(scratch, { keyPath: 'k' });
  const batchSize = migration?.batchSize ?? settings.batchSize;
  const oldKeyPath = liveKeyPath(run.tx.objectStore(store.name));
  forEachPage(
    run,
    { store: store.name, keyPath: oldKeyPath, batchSize, cmp: settings.cmp },
    (keys, values, next) => {
      const target = run.tx.objectStore(scratch);
      values.forEach((value, i) => {
        run.on(target.put({ k: keys[i], v: value }));
      });
      next();
    },
    () => {
      db.deleteObjectStore(store.name);
      createStore(db, store);
      forEachPage(
        run,
        { store: scratch, keyPath: 'k', batchSize, cmp: settings.cmp },
        (keys, records, next) => {
          const values = (records as { v: unknown }[]).map((record) => record.v);
          const addBack = (results: readonly unknown[]): void => {
            const target = run.tx.objectStore(store.name);
            results.forEach((result, i) => {
              if (result === REMOVE_RECORD) return;
              const value = result === undefined ? values[i] : result;
              // Out-of-line stores keep the old keys; inline ones take the key from the value.
              run.on(store.keyPath === null ? target.add(value, keys[i]) : target.add(value));
            });
            next();
          };
          if (migration) migratePage(run, migration, version, keys, values, settings, addBack);
          else addBack(values);
        },
        () => {
          db.deleteObjectStore(scratch);
          done();
        },
      );
    },
  );
}
