import type { Change, RecordValue } from '../../src/protocol/messages.js';
import type { Queryable } from '../db/database.js';
import { toInt } from '../db/database.js';

/** A stored record, alive or tombstone. */
export interface StoredRecord {
  /** The record id. */
  id: string;
  /** The change-log position of its latest version. */
  rev: number;
  /** True for a tombstone. */
  deleted: boolean;
  /** The value; `null` for a tombstone. */
  value: RecordValue | null;
  /** The client id that wrote it; `null` when written as the server. */
  writtenBy: string | null;
}

/**
 * Locks the change-log row of `(collection, owner)` for the rest of the transaction and returns its
 * current seq. Every writer takes this lock before reading what it will overwrite, so writers of one
 * collection and owner run one after another and commit in seq order.
 */
export async function lockSequence(tx: Queryable, collection: string, owner: string): Promise<number> {
  const { rows } = await tx.query<{ seq: unknown }>(
    `INSERT INTO collection_seq (collection, owner) VALUES ($1, $2)
     ON CONFLICT (collection, owner) DO UPDATE SET seq = collection_seq.seq
     RETURNING seq`,
    [collection, owner],
  );
  return toInt(rows[0]!.seq);
}

/** Reads one record (alive or tombstone). Callers hold the sequence lock. */
export async function readRecord(
  tx: Queryable,
  collection: string,
  owner: string,
  id: string,
): Promise<StoredRecord | null> {
  const { rows } = await tx.query<{
    id: string;
    rev: unknown;
    deleted: boolean;
    value: RecordValue | null;
    written_by: string | null;
  }>(
    `SELECT id, rev, deleted, value, written_by FROM records WHERE collection = $1 AND owner = $2 AND id = $3`,
    [collection, owner, id],
  );
  const row = rows[0];
  if (row === undefined) return null;
  return {
    id: row.id,
    rev: toInt(row.rev),
    deleted: row.deleted,
    value: row.value,
    writtenBy: row.written_by,
  };
}

/**
 * Writes a new version of a record (a tombstone when `value` is null) at the next seq and returns
 * that seq, the record's new rev. Callers hold the sequence lock.
 */
export async function writeRecord(
  tx: Queryable,
  write: {
    collection: string;
    owner: string;
    id: string;
    value: RecordValue | null;
    /** The value's JSON text and its UTF-8 size, when the caller already made them (checks). */
    json?: string;
    bytes?: number;
    writtenBy: string | null;
  },
): Promise<number> {
  const { rows } = await tx.query<{ seq: unknown }>(
    `UPDATE collection_seq SET seq = seq + 1 WHERE collection = $1 AND owner = $2 RETURNING seq`,
    [write.collection, write.owner],
  );
  const seq = toInt(rows[0]!.seq);
  const json = write.value === null ? null : (write.json ?? JSON.stringify(write.value));
  await tx.query(
    `INSERT INTO records (collection, owner, id, rev, deleted, value, written_by, updated_at, value_bytes)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, now(), $8)
     ON CONFLICT (collection, owner, id) DO UPDATE
       SET rev = EXCLUDED.rev, deleted = EXCLUDED.deleted, value = EXCLUDED.value,
           written_by = EXCLUDED.written_by, updated_at = EXCLUDED.updated_at,
           value_bytes = EXCLUDED.value_bytes`,
    [
      write.collection,
      write.owner,
      write.id,
      seq,
      write.value === null,
      json,
      write.writtenBy,
      json === null ? null : (write.bytes ?? Buffer.byteLength(json)),
    ],
  );
  return seq;
}

/** The protocol view of a stored record. */
export function toChange(record: StoredRecord): Change {
  return record.deleted || record.value === null
    ? { id: record.id, rev: String(record.rev), op: 'delete' }
    : { id: record.id, rev: String(record.rev), op: 'put', value: record.value };
}

/** Canonical JSON (object keys sorted), to compare two values regardless of key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
