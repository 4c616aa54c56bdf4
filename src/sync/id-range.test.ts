import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type KeyBounds, keyRangesOfIds } from './id-range.js';
import { compareIds, inIdRange } from './record-key.js';

function includes(bounds: KeyBounds, key: number): boolean {
  const { lower, upper, lowerOpen, upperOpen } = bounds;
  if (lower !== undefined && (lowerOpen ? !(key > (lower as number)) : !(key >= (lower as number))))
    return false;
  if (upper !== undefined && (upperOpen ? !(key < (upper as number)) : !(key <= (upper as number))))
    return false;
  return true;
}

/** Keys the ranges fetch and the filter keeps, against the brute-force answer. */
function check(keys: number[], after: string | null, until: string | null): void {
  const ranges = keyRangesOfIds(after, until, 'number');
  // -0 and 0 are one IndexedDB key.
  keys = [...new Set(keys.map((k) => (k === 0 ? 0 : k)))];
  const expected = keys.filter((k) => inIdRange(String(k), after, until)).sort((a, b) => a - b);
  const fetched = new Set(keys.filter((k) => ranges.some((r) => includes(r, k))));
  const found = [...fetched].filter((k) => inIdRange(String(k), after, until)).sort((a, b) => a - b);
  expect(found).toEqual(expected);
}

const anyKey = fc.oneof(
  fc.integer({ min: 0, max: 1_000_000 }),
  fc.integer({ min: -1000, max: 1000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
  fc.double({ noNaN: true }),
  fc.constantFrom(0, 2, 10, 100, 1e-7, 1e-6, 1e21, 1e20, 123e300, Number.MAX_SAFE_INTEGER),
);

describe('key ranges of a snapshot page in a number store', () => {
  it('finds 2 outside the page (null, "100"] that holds 10 and 100', () => {
    check([2, 10, 100], null, '100');
    check([2, 10, 100], '100', null);
    check([2, 10, 100, 1000, 3, 30], '10', '2');
  });

  it('fetches exactly the keys whose ids lie in the page range, whatever the numbers', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(anyKey, { maxLength: 60 }),
        fc.option(anyKey, { nil: null }),
        fc.option(anyKey, { nil: null }),
        (keys, a, b) => {
          let after = a === null ? null : String(a);
          let until = b === null ? null : String(b);
          if (after !== null && until !== null && compareIds(after, until) > 0)
            [after, until] = [until, after];
          check(keys, after, until);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keeps one range of ids for a string store', () => {
    expect(keyRangesOfIds('a', 'b', 'string')).toEqual([
      { lower: 'a', upper: 'b', lowerOpen: true, upperOpen: false },
    ]);
    expect(keyRangesOfIds(null, null, 'string')).toEqual([{ lowerOpen: true, upperOpen: false }]);
  });
});
