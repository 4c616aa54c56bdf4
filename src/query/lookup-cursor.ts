import type { IndexedDBErrorContext } from '../errors/indexeddb-error.js';
import { InvalidDataError } from '../errors/invalid-data-error.js';

/**
 * Where a page of {@link searchLookup} ended: the last record's primary key and the index key it was
 * found under. Every search walks records in primary-key order, so the next page starts strictly
 * after that primary key whatever was inserted or deleted meanwhile (no offset to drift), even if
 * the next page is read through a different index.
 */
export interface LookupPosition {
  readonly primaryKey: IDBValidKey;
  /** The index key the record was read under; absent when the page walked the store itself. */
  readonly indexKey?: IDBValidKey;
}

type Encoded = number | string | { d: number } | Encoded[];

const PREFIX = 'lk1.';

/** Turns a position into the opaque string handed to apps as `nextCursor`. */
export function encodeCursor(position: LookupPosition): string {
  const body: { p: Encoded; k?: Encoded } = { p: encodeKey(position.primaryKey) };
  if (position.indexKey !== undefined) body.k = encodeKey(position.indexKey);
  return PREFIX + JSON.stringify(body);
}

/** Reads a cursor made by {@link encodeCursor}; throws `InvalidDataError` for anything else. */
export function decodeCursor(cursor: string, context: IndexedDBErrorContext): LookupPosition {
  try {
    if (!cursor.startsWith(PREFIX)) throw new Error('unknown cursor format');
    const body = JSON.parse(cursor.slice(PREFIX.length)) as { p?: Encoded; k?: Encoded };
    if (body.p === undefined) throw new Error('no primary key');
    const primaryKey = decodeKey(body.p);
    return body.k === undefined ? { primaryKey } : { primaryKey, indexKey: decodeKey(body.k) };
  } catch (cause) {
    throw new InvalidDataError(context, cause);
  }
}

function encodeKey(key: IDBValidKey): Encoded {
  if (typeof key === 'number' || typeof key === 'string') return key;
  if (key instanceof Date) return { d: key.getTime() };
  if (Array.isArray(key)) return key.map(encodeKey);
  throw new TypeError('Binary keys cannot be used in a lookup cursor');
}

function decodeKey(value: unknown): IDBValidKey {
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(decodeKey);
  if (typeof value === 'object' && value !== null && typeof (value as { d?: unknown }).d === 'number') {
    return new Date((value as { d: number }).d);
  }
  throw new Error('invalid key');
}
