import type { DBSchema, IndexNames, StoreNames, StoreValue } from 'idb';

/**
 * How the sync layer treats a store:
 * - `transactional`: user data written locally and pushed (outbox, conflicts).
 * - `lookup`: reference data pulled from the server in pages; refetched in full when its schema changes.
 * - `local`: never synced (drafts, UI state).
 */
export type StoreKind = 'transactional' | 'lookup' | 'local';

/** An IndexedDB key path: one property path (`'a.b'`) or a compound of several. */
export type KeyPath = string | readonly string[];

/**
 * The type of a synced store's keys. Record ids travel as strings on the wire; a store declared
 * `keyType: 'number'` stores them as numbers (decoded from the wire id, encoded back to it), so
 * `get(3042030)` finds what the server sent as id `"3042030"`. Default `'string'`.
 */
export type KeyType = 'string' | 'number';

/** One index of a store. Changing any field recreates the index on the next upgrade. */
export interface IndexSpec {
  /** The indexed property path(s). */
  readonly keyPath: KeyPath;
  /** Reject two records with the same index key. Default `false`. */
  readonly unique?: boolean;
  /** Index each element of an array value separately. Default `false`. */
  readonly multiEntry?: boolean;
}

/** One object store of a version. Changing `keyPath` or `autoIncrement` rebuilds the store (data copied). */
export interface StoreSpec<IndexName extends string = string> {
  /** The primary key path; omit for out-of-line keys (passed to `put(value, key)`). */
  readonly keyPath?: KeyPath;
  /** Generate numeric keys. Default `false`. */
  readonly autoIncrement?: boolean;
  /** How sync treats the store. */
  readonly kind: StoreKind;
  /**
   * The type of the keys of a synced (`transactional` or `lookup`) store: `'number'` for numeric ids,
   * `'string'` (the default) otherwise. Ignored for `local` stores.
   */
  readonly keyType?: KeyType;
  /** The store's indexes by name. Default none. */
  readonly indexes?: { readonly [I in IndexName]: IndexSpec };
}

/** What a migration gets besides the record. */
export interface MigrationContext {
  /** The store being migrated. */
  readonly store: string;
  /** The declared version whose migration runs. */
  readonly version: number;
  /** The record's primary key. */
  readonly key: IDBValidKey;
  /** Return this to delete the record. */
  readonly remove: typeof REMOVE_RECORD;
}

/** Returned by a migration to delete the record it was given. */
export const REMOVE_RECORD: unique symbol = Symbol.for('idb-sync.remove-record');

/**
 * Migrates one record to this version's shape. Return the new value, `undefined` to write back the
 * value as the function left it (in-place edits), or `context.remove` to delete the record.
 *
 * It runs inside the upgrade transaction: it may be `async`, but it must not wait on anything but
 * its own computation (no network, timers or other databases), and it must not change the primary key.
 */
export type RecordMigration<TNew = unknown> = (
  // biome-ignore lint/suspicious/noExplicitAny: the value has the previous version's shape, which the schema type no longer describes; annotate it in the migration.
  value: any,
  context: MigrationContext,
) => TNew | undefined | typeof REMOVE_RECORD | Promise<TNew | undefined | typeof REMOVE_RECORD>;

/** A migration: a function over each record, run in batches of `batchSize` (default: the database's `migrationBatchSize`). */
export type Migration<TNew = unknown> =
  | RecordMigration<TNew>
  | { readonly batchSize?: number; readonly migrate: RecordMigration<TNew> };

/**
 * One declared version: the FULL set of app stores at that version (stores left out are deleted)
 * and the migrations that bring records from the previous version to this one.
 */
export interface VersionSpec {
  /** A positive integer; versions must be strictly increasing. */
  readonly version: number;
  /** Every app store of this version by name. Names starting with `_` are reserved for the SDK. */
  readonly stores: { readonly [store: string]: StoreSpec };
  /** Per-store migrations, run after this version's stores and indexes are in place. */
  readonly migrations?: { readonly [store: string]: Migration };
}

/**
 * The latest version, typed from the app's schema `S` (an idb `DBSchema`): it must declare exactly
 * the schema's stores and each store's indexes, and its migrations must produce the schema's values.
 */
export type LatestVersionSpec<S> = unknown extends S
  ? VersionSpec
  : S extends DBSchema
    ? {
        readonly version: number;
        readonly stores: {
          readonly [K in StoreNames<S> & string]: TypedStoreSpec<IndexNames<S, K>> & KindAndKeySpec<S[K]>;
        };
        readonly migrations?: { readonly [K in StoreNames<S> & string]?: Migration<StoreValue<S, K>> };
      }
    : never;

/** A store of the latest version: its `indexes` must name exactly the schema's indexes. */
export type TypedStoreSpec<IndexName extends string> = Omit<StoreSpec, 'indexes' | 'kind' | 'keyType'> &
  ([IndexName] extends [never]
    ? { readonly indexes?: { readonly [name: string]: never } }
    : { readonly indexes: { readonly [I in IndexName]: IndexSpec } });

/**
 * The `kind` and `keyType` a schema store entry allows. A store whose schema entry declares a
 * `kind` (beside `key` and `value`) must be declared with that kind. Synced stores need string or
 * number keys, and a store with number keys must say `keyType: 'number'`; a store with any other key
 * type (compound, `Date`, binary) can only be `local`.
 */
export type KindAndKeySpec<E> = E extends { readonly key: infer Key }
  ? KindSpec<E> extends infer Kind extends StoreKind
    ? [Key] extends [string]
      ? { readonly kind: Kind; readonly keyType?: 'string' }
      : [Key] extends [number]
        ?
            | { readonly kind: Exclude<Kind, 'local'>; readonly keyType: 'number' }
            | ('local' extends Kind ? { readonly kind: 'local'; readonly keyType?: KeyType } : never)
        : { readonly kind: Extract<Kind, 'local'>; readonly keyType?: never }
    : never
  : { readonly kind: StoreKind; readonly keyType?: KeyType };

/** The store kind a schema entry declares (all kinds when it declares none). */
type KindSpec<E> = E extends { readonly kind: infer K extends StoreKind } ? K : StoreKind;

/**
 * The version list: older versions, then the latest, which is typed from the schema. Without a
 * schema type any non-empty list of versions is accepted (checked when the module loads).
 */
export type VersionList<S> = unknown extends S
  ? readonly VersionSpec[]
  : readonly [...VersionSpec[], LatestVersionSpec<S>];
