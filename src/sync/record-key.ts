import { InvalidKeyError } from '../errors/invalid-key-error.js';
import type { KeyType } from '../upversion/schema-types.js';

/** The key of a synced record: a string, or a number in a store declared `keyType: 'number'`. */
export type SyncedKey = string | number;

/** Checks a local write's key against the store's key type (never converting it). */
export function checkWriteKey(store: string, key: unknown, keyType: KeyType): SyncedKey {
  if (keyType === 'string') {
    if (typeof key === 'string' && key !== '') return key;
  } else if (typeof key === 'number' && Number.isFinite(key)) {
    return key;
  }
  throw new InvalidKeyError(store, keyType, describeKey(key), 'write');
}

/** The wire id of a key: the string itself, or the number's canonical decimal form. */
export function encodeId(key: SyncedKey): string {
  return typeof key === 'string' ? key : String(key);
}

/**
 * The local key of a wire id. A number store accepts only ids in the canonical form `String(n)` of a
 * finite number (so that encoding the key gives the id back): `"42"`, `"-1.5"`, not `"042"` or `"1e3"`.
 */
export function decodeId(store: string, id: string, keyType: KeyType): SyncedKey {
  if (keyType === 'string') return id;
  const key = Number(id);
  if (Number.isFinite(key) && String(key) === id) return key;
  throw new InvalidKeyError(store, keyType, 'not the decimal form of a number', 'pull');
}

/** Compares wire ids in the order the protocol pages snapshots in (binary order; see docs/protocol.md). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** True when wire id `id` lies in a snapshot page's range `(after, until]` (`null`: unbounded). */
export function inIdRange(id: string, after: string | null, until: string | null): boolean {
  return (after === null || compareIds(id, after) > 0) && (until === null || compareIds(id, until) <= 0);
}

function describeKey(key: unknown): string {
  if (key === undefined) return 'no value';
  if (key === null) return 'null';
  if (key === '') return 'an empty string';
  if (typeof key === 'number') return Number.isFinite(key) ? 'a number' : 'a number that is not finite';
  if (typeof key === 'string') return 'a string';
  if (key instanceof Date) return 'a Date';
  if (Array.isArray(key)) return 'an array';
  if (ArrayBuffer.isView(key) || key instanceof ArrayBuffer) return 'binary data';
  return `a value of type ${typeof key}`;
}
