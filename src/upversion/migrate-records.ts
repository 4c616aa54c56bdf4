import type { TxScope } from '../idb/tx-scope.js';
import { settle } from '../idb/tx-sequence.js';
import type { DeclaredMigration, DeclaredStore } from './declare-schema.js';
import { forEachPage } from './for-each-page.js';
import { keyOf, sameKey } from './key-path.js';
import { REMOVE_RECORD } from './schema-types.js';

/** How migrations run inside an upgrade. */
export interface MigrationSettings {
  /** Records per page when a migration does not set its own `batchSize`. */
  readonly batchSize: number;
  /** How long an async migration's page may take to settle, in milliseconds. */
  readonly settleTimeoutMs: number;
  /** A store that exists during the upgrade, used to keep the transaction alive meanwhile. */
  readonly keepAliveStore: string;
  /** `indexedDB.cmp` of the factory in use. */
  readonly cmp: (a: unknown, b: unknown) => number;
}

/**
 * Calls the migration on one page of records (all calls first, so an async migration's promises
 * settle together) and hands the results to `write` from inside a request callback.
 */
export function migratePage(
  run: TxScope,
  migration: DeclaredMigration,
  version: number,
  keys: readonly IDBValidKey[],
  values: readonly unknown[],
  settings: MigrationSettings,
  write: (results: readonly unknown[]) => void,
): void {
  const results = values.map((value, i) =>
    migration.migrate(value, { store: migration.store, version, key: keys[i]!, remove: REMOVE_RECORD }),
  );
  if (!results.some(isThenable)) write(results);
  else
    settle(run, Promise.all(results), settings.keepAliveStore, Date.now() + settings.settleTimeoutMs, write);
}

/** Runs one store's migration over every record, in place, page by page. */
export function migrateStore(
  run: TxScope,
  migration: DeclaredMigration,
  version: number,
  store: DeclaredStore,
  settings: MigrationSettings,
  done: () => void,
): void {
  const batchSize = migration.batchSize ?? settings.batchSize;
  forEachPage(
    run,
    { store: store.name, keyPath: store.keyPath, batchSize, cmp: settings.cmp },
    (keys, values, next) =>
      migratePage(run, migration, version, keys, values, settings, (results) => {
        const target = run.tx.objectStore(store.name);
        results.forEach((result, i) => {
          const key = keys[i]!;
          const value = result === undefined ? values[i] : result;
          if (result === REMOVE_RECORD) run.on(target.delete(key));
          else if (store.keyPath === null) run.on(target.put(value, key));
          else if (sameKey(settings.cmp, keyOf(value, store.keyPath), key)) run.on(target.put(value));
          else {
            throw new Error(
              'the migration changed (or removed) a primary key; declare a new keyPath to rebuild the store instead',
            );
          }
        });
        // The next page starts after this page's last key, so the writes above are not read again.
        next();
      }),
    done,
  );
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
