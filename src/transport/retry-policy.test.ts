import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, RETRY_DEFAULTS, resolveRetry, retryAfterOf, retryDelay } from './retry-policy.js';

describe.runIf(globalThis.__IDB_BACKEND__ === 'fake-indexeddb')('one retry policy (full jitter)', () => {
  it('stays within [0, min(maxMs, initialMs × 2^(failures−1))) for any random draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 80 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        (failures, draw, initialMs, maxMs) => {
          const delay = backoffDelay(failures, resolveRetry({ initialMs, maxMs }), () => draw);
          const ceiling = Math.min(maxMs, initialMs * 2 ** (failures - 1));
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThan(ceiling);
        },
      ),
    );
  });

  it('doubles the window per failure up to the cap (defaults: 1 s, 60 s)', () => {
    const almostOne = () => 0.9999;
    const windows = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, resolveRetry(), almostOne));
    expect(windows).toEqual([999, 1999, 3999, 7999, 15998, 31996, 59994, 59994]);
  });

  it('has one set of documented defaults', () => {
    expect(resolveRetry()).toEqual({
      initialMs: 1_000,
      maxMs: 60_000,
      maxRetryAfterMs: 600_000,
      requestRetries: 2,
      requestRetryAfterMs: 10_000,
    });
    expect(resolveRetry({ requestRetries: 0 })).toEqual({ ...RETRY_DEFAULTS, requestRetries: 0 });
  });

  it('waits at least the Retry-After an error carries, capped at maxRetryAfterMs', () => {
    const policy = resolveRetry({ initialMs: 100, maxMs: 100, maxRetryAfterMs: 5_000 });
    expect(retryDelay(1, { retryAfterMs: 2_000 }, policy, () => 0.5)).toBe(2_000);
    expect(retryDelay(1, { retryAfterMs: 86_400_000 }, policy, () => 0.5)).toBe(5_000);
    expect(retryDelay(1, { retryAfterMs: 10 }, policy, () => 0.5)).toBe(50);
    expect(retryDelay(1, new Error('no Retry-After'), policy, () => 0.5)).toBe(50);
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
