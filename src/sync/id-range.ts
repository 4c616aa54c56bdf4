import type { KeyType } from '../upversion/schema-types.js';
import { compareIds } from './record-key.js';

/** Bounds of local keys, as an `IDBKeyRange` takes them (`undefined`: unbounded on that side). */
export interface KeyBounds {
  readonly lower?: number | string;
  readonly upper?: number | string;
  readonly lowerOpen: boolean;
  readonly upperOpen: boolean;
}

/**
 * Local key ranges that together hold every record whose wire id lies in a snapshot page's range
 * `(after, until]` (`null`: unbounded). The server orders ids as strings; a number store orders
 * its keys as numbers, so one string range is a union of number ranges: 10 < 100 < 2 as strings.
 * The ranges may hold more (keys whose ids are out of the range): filter what they return with
 * {@link inIdRange}. `[]` never happens; one unbounded range means the whole store.
 *
 * For numbers written in plain decimal notation with `d` digits before the point (0.000001 ≤ x <
 * 10^21), `String(x)` grows with `x`, so the part of that group in the string range is one number
 * range, found by bisecting the doubles of the group. Keys outside these groups (negative, zero and
 * tiny, huge, written with an exponent) are few in practice: three ranges fetch them all.
 */
export function keyRangesOfIds(after: string | null, until: string | null, keyType: KeyType): KeyBounds[] {
  if (keyType === 'string') {
    return [
      {
        ...(after === null ? {} : { lower: after }),
        ...(until === null ? {} : { upper: until }),
        lowerOpen: true,
        upperOpen: false,
      },
    ];
  }
  const ranges: KeyBounds[] = [
    { upper: 0, lowerOpen: false, upperOpen: true },
    { lower: 0, upper: PLAIN_MIN, lowerOpen: false, upperOpen: true },
    { lower: PLAIN_LIMIT, lowerOpen: false, upperOpen: false },
  ];
  for (let digits = 1; digits <= 21; digits++) {
    const from = digits === 1 ? PLAIN_MIN : 10 ** (digits - 1);
    const to = 10 ** digits; // exclusive
    const low =
      after === null ? from : firstWhere(from, to, (x) => compareIds(String(x), after) > 0, 'first');
    const high =
      until === null
        ? previousDouble(to)
        : firstWhere(from, to, (x) => compareIds(String(x), until) <= 0, 'last');
    if (low !== undefined && high !== undefined && low <= high) {
      ranges.push({ lower: low, upper: high, lowerOpen: false, upperOpen: false });
    }
  }
  return ranges;
}

/** Smallest number written without an exponent, besides 0. */
const PLAIN_MIN = 1e-6;
/** Smallest number `String()` writes with an exponent at the top end. */
const PLAIN_LIMIT = 1e21;

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

function bitsOf(x: number): bigint {
  f64[0] = x;
  return u64[0]!;
}

function fromBits(bits: bigint): number {
  u64[0] = bits;
  return f64[0]!;
}

function previousDouble(x: number): number {
  return fromBits(bitsOf(x) - 1n);
}

/**
 * Bisects the positive doubles of `[from, to)` (their bit patterns are in numeric order) for the
 * first one where a rising predicate holds (`'first'`), or the last one where a falling one holds
 * (`'last'`). `undefined` when there is none.
 */
function firstWhere(
  from: number,
  to: number,
  holds: (x: number) => boolean,
  which: 'first' | 'last',
): number | undefined {
  let lo = bitsOf(from);
  let hi = bitsOf(to) - 1n;
  if (which === 'first') {
    if (!holds(fromBits(hi))) return undefined;
    while (lo < hi) {
      const mid = (lo + hi) >> 1n;
      if (holds(fromBits(mid))) hi = mid;
      else lo = mid + 1n;
    }
    return fromBits(lo);
  }
  if (!holds(fromBits(lo))) return undefined;
  while (lo < hi) {
    const mid = (lo + hi + 1n) >> 1n;
    if (holds(fromBits(mid))) lo = mid;
    else hi = mid - 1n;
  }
  return fromBits(lo);
}

/** The bounds as an `IDBKeyRange` (`null`: the whole store). */
export function toKeyRange(bounds: KeyBounds): IDBKeyRange | null {
  const { lower, upper, lowerOpen, upperOpen } = bounds;
  if (lower === undefined && upper === undefined) return null;
  if (lower === undefined) return IDBKeyRange.upperBound(upper, upperOpen);
  if (upper === undefined) return IDBKeyRange.lowerBound(lower, lowerOpen);
  return IDBKeyRange.bound(lower, upper, lowerOpen, upperOpen);
}
