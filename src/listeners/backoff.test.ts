import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, resolveBackoff, retryAfterOf } from './backoff.js';

describe.runIf(globalThis.__IDB_BACKEND__ === 'fake-indexeddb')('full-jitter backoff', () => {
  it('stays within [0, min(maxMs, initialMs × 2^(failures−1))) for any random draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 80 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        (failures, draw, initialMs, maxMs) => {
          const delay = backoffDelay(failures, resolveBackoff({ initialMs, maxMs }), () => draw);
          const ceiling = Math.min(maxMs, initialMs * 2 ** (failures - 1));
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThan(ceiling);
        },
      ),
    );
  });

  it('doubles the window per failure up to the cap (defaults: 1 s, 60 s)', () => {
    const almostOne = () => 0.9999;
    const windows = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, resolveBackoff(), almostOne));
    expect(windows).toEqual([999, 1999, 3999, 7999, 15998, 31996, 59994, 59994]);
  });

  it('reads Retry-After only from a finite, non-negative retryAfterMs', () => {
    expect(retryAfterOf({ retryAfterMs: 1500 })).toBe(1500);
    for (const value of [
      undefined,
      null,
      'x',
      { retryAfterMs: -1 },
      { retryAfterMs: Number.NaN },
      { retryAfterMs: '5' },
    ]) {
      expect(retryAfterOf(value)).toBeUndefined();
    }
  });
});
