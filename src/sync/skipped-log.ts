import { type ConnectionSource, transact } from '../idb/transact.js';
import type { RecordValue } from '../protocol/messages.js';

/** The durable log of pulled records the client could not store (one entry per record). */
export const SKIPPED_STORE = '_skipped';

/**
 * Why a pulled record is not in its store:
 * - `unique-clash`: a value of a unique index is held by another record (one the server holds with the
 *   same value, or a local write not pushed yet: then the conflict log has an entry too);
 * - `transform-failed`: the collection's `fromServer` threw or returned no record;
 * - `invalid-key`: the id does not decode to the store's key type (`keyType: 'number'`);
 * - `not-clonable`: IndexedDB cannot store the value (`DataCloneError`, e.g. a function `fromServer` added);
 * - `too-large`: IndexedDB refused the value's size (`DataError`); its value is not kept in the log.
 */
export type SkipReason = 'unique-clash' | 'transform-failed' | 'invalid-key' | 'not-clonable' | 'too-large';

/** One skipped record, as listed by `client.skippedRecords()`. */
export interface SkippedRecord {
  /** The collection (store) the record belongs to. */
  readonly collection: string;
  /** The record's id as the server sends it (a string, also in a `keyType: 'number'` store). */
  readonly id: string;
  /** The server revision that could not be stored. */
  readonly rev: string;
  /** Why it could not be stored. */
  readonly reason: SkipReason;
  /** What failed, without record contents (a transform's error message, the index name…). */
  readonly message?: string;
  /** `unique-clash`: the id of the record that keeps the value. */
  readonly heldBy?: string;
  /** When it was skipped (epoch ms). */
  readonly at: number;
  /** The database version it was skipped under: a newer one retries it. */
  readonly schemaVersion: number;
}

/** A log entry as stored: the value is kept (except `too-large`) so the record can be retried locally. */
export interface StoredSkip extends SkippedRecord {
  readonly value?: RecordValue;
  /** `value` is the stored form (a record a clash evicted from the store): written as is on retry. */
  readonly stored?: true;
}

/** The key range of one collection's entries (keys are `[collection, id]`). */
export function skippedRange(collection: string): IDBKeyRange {
  return IDBKeyRange.bound([collection], [collection, []]);
}

/** The skipped records, oldest first; `collection` limits them to one collection. */
export function listSkipped(connect: ConnectionSource, collection?: string): Promise<SkippedRecord[]> {
  return transact(connect, [SKIPPED_STORE], 'readonly', (scope) => {
    let list: SkippedRecord[] = [];
    const query = collection === undefined ? undefined : skippedRange(collection);
    scope.on(scope.store(SKIPPED_STORE).getAll(query), (all: StoredSkip[]) => {
      list = all.map(({ value: _value, stored: _stored, ...entry }) => entry).sort((a, b) => a.at - b.at);
    });
    return () => list;
  });
}
