import type { Change, RecordValue } from '../../src/protocol/messages.js';
import type { Queryable } from '../db/database.js';
/** A stored record, alive or tombstone. */
export interface StoredRecord {
    id: string;
    rev: number;
    deleted: boolean;
    value: RecordValue | null;
    writtenBy: string | null;
}
/**
 * Locks the change-log row of `(collection, owner)` for the rest of the transaction and returns its
 * current seq. Every writer takes this lock before reading what it will overwrite, so writers of one
 * collection and owner run one after another and commit in seq order.
 */
export declare function lockSequence(tx: Queryable, collection: string, owner: string): Promise<number>;
/** Reads one record (alive or tombstone). Callers hold the sequence lock. */
export declare function readRecord(tx: Queryable, collection: string, owner: string, id: string): Promise<StoredRecord | null>;
/**
 * Writes a new version of a record (a tombstone when `value` is null) at the next seq and returns
 * that seq, the record's new rev. Callers hold the sequence lock.
 */
export declare function writeRecord(tx: Queryable, write: {
    collection: string;
    owner: string;
    id: string;
    value: RecordValue | null;
    writtenBy: string | null;
}): Promise<number>;
/** The protocol view of a stored record. */
export declare function toChange(record: StoredRecord): Change;
/** Canonical JSON (object keys sorted), to compare two values regardless of key order. */
export declare function canonicalJson(value: unknown): string;
