import type { Change, PullFilter, RecordValue } from '../../src/protocol/messages.js';
import type { Database, Queryable } from '../db/database.js';
import type { StoredRecord } from '../sync/records.js';

/** Whose records: a collection, and the user id (per-user collections) or `''` (shared ones). */
export interface Scope {
  /** The collection. */
  collection: string;
  /** The owner key: the user id for per-user collections, `''` for shared ones. */
  owner: string;
}

/** What one pull page may hold. */
export interface PageLimits {
  /** Most changes. */
  limit: number;
  /** Byte budget: stop once the changes' JSON reaches it (the first change always goes). */
  maxBytes: number;
  /** Top-level equality filter on values; `undefined` for none. */
  filter: PullFilter | undefined;
}

/** A page read from a store. */
export interface PageRows {
  /** The page's changes, in order. */
  changes: Change[];
  /** More changes remained after these (the window or the byte budget cut the page). */
  cut: boolean;
}

/** A write as the sync server makes it (a push, or an admin write): a put, or a delete when `value` is null. */
export interface StoreWrite {
  /** The record id. */
  id: string;
  /** The new value; `null` deletes the record. */
  value: RecordValue | null;
  /** The value's compact JSON and its UTF-8 size, as checked against the limits. */
  json?: string;
  /** The UTF-8 size of `json`. */
  bytes?: number;
  /** The client id of a push; `null` for writes made as the server. */
  writtenBy: string | null;
}

/** The outcome of a write: the record's new rev, or why the store cannot take this value. */
export type StoreWriteOutcome =
  | { rev: number }
  | { refused: { reason: 'invalid' | 'forbidden'; code: string; message: string } };

/**
 * Where one collection's records live, and their change log. The sync engine keeps everything that
 * is protocol (checkpoints, conflict rules, exactly-once, limits, pokes) and asks the store only to
 * read and write, inside the engine's transactions on the server's database:
 *
 * - Every write of a `(collection, owner)` takes the next position of its change log
 *   (`collection_seq.seq`) while holding that row's lock until commit, so commit order equals
 *   position order and a reader never skips a change. The rev of a record is the position of its
 *   last change; a delete leaves a tombstone at its position.
 * - Reads of a page are one statement (one snapshot of the database).
 * - `lockOrder` says how writers lock: `'sequence-first'` (the engine locks the change log row, then
 *   reads and writes) or `'row-first'` (the store locks the record's own row first and the change
 *   log row is locked by the write itself, e.g. by a trigger: the order every other writer of that
 *   table follows, so they cannot deadlock with each other).
 *
 * Built in: the server's `records` table (the default) and {@link appTable} (an application's own table).
 */
export interface CollectionStore {
  /** `'records'` or `'app-table'`: for messages. */
  readonly kind: string;
  /** How writers lock (see above): `sequence-first` or `row-first`. */
  readonly lockOrder: 'sequence-first' | 'row-first';
  /**
   * Called when the server starts, after its own migrations: with `migrate`, installs or updates what
   * the store needs in the database (idempotent); without, only checks that it is there.
   */
  install?(
    db: Database,
    collection: { name: string; scope: 'user' | 'shared' },
    options: { migrate: boolean },
  ): Promise<void>;
  /** Alive records of `scope` matching `filter` (a snapshot's total). */
  count(q: Queryable, scope: Scope, filter: PullFilter | undefined): Promise<number>;
  /** Alive records with id above `after` (`null`: from the first), in binary id order. */
  snapshotPage(q: Queryable, scope: Scope, after: string | null, page: PageLimits): Promise<PageRows>;
  /**
   * The change log after position `afterSeq`, one entry per record (its latest change), in position
   * order; a record that does not match `filter` is a delete.
   */
  changesPage(q: Queryable, scope: Scope, afterSeq: number, page: PageLimits): Promise<PageRows>;
  /**
   * One record of `scope`, alive or tombstone, or `null`. Inside a write transaction; with
   * `'row-first'` the store locks the record's row here.
   */
  read(tx: Queryable, scope: Scope, id: string): Promise<StoredRecord | null>;
  /**
   * Writes a new version at the next position (the change log is locked as `lockOrder` says). When
   * the record changed since `read` in a way the lock could not prevent (another writer created it
   * meanwhile), throws an error with `code: '40001'`: the engine runs the transaction again.
   */
  write(tx: Queryable, scope: Scope, write: StoreWrite): Promise<StoreWriteOutcome>;
}
