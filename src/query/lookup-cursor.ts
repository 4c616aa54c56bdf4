import type { IndexedDBErrorContext } from '../errors/indexeddb-error.js';
import { InvalidDataError } from '../errors/invalid-data-error.js';

/**
 * Where a page of {@link searchLookup} ended: the last record's rank, its key in the order index (when
 * the query has `orderBy`) and its primary key. Results are sorted by exactly these, so the next page
 * starts strictly after that position whatever was inserted or deleted meanwhile (no offset to drift).
 */
export interface LookupPosition {
  /** 0: the records holding every search word whole; 1: the other matches. */
  readonly tier: number;
  /** The last record's key in the `orderBy` index, with an order. */
  readonly order?: IDBValidKey;
  /** The last record's primary key. */
  readonly primaryKey: IDBValidKey;
}

type Encoded = number | string | { d: number } | Encoded[];

const PREFIX = 'lk2.';

/** Turns a position into the opaque string handed to apps as `nextCursor`; `query` names the query it belongs to. */
export function encodeCursor(position: LookupPosition, query: string): string {
  const body: { q: string; t: number; p: Encoded; o?: Encoded } = {
    q: query,
    t: position.tier,
    p: encodeKey(position.primaryKey),
  };
  if (position.order !== undefined) body.o = encodeKey(position.order);
  return PREFIX + JSON.stringify(body);
}

/**
 * Reads a cursor made by {@link encodeCursor} for the same query; throws `InvalidDataError` for
 * anything else (a cursor of another query, or of an older version of the SDK).
 */
export function decodeCursor(cursor: string, query: string, context: IndexedDBErrorContext): LookupPosition {
  try {
    if (!cursor.startsWith(PREFIX)) throw new Error('unknown cursor format');
    const body = JSON.parse(cursor.slice(PREFIX.length)) as {
      q?: string;
      t?: number;
      p?: Encoded;
      o?: Encoded;
    };
    if (body.q !== query) throw new Error('the cursor belongs to another query');
    if (body.p === undefined || typeof body.t !== 'number') throw new Error('no position');
    const primaryKey = decodeKey(body.p);
    return body.o === undefined
      ? { tier: body.t, primaryKey }
      : { tier: body.t, order: decodeKey(body.o), primaryKey };
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
