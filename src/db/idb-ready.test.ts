import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { uniqueName } from '../../test/db/test-support.js';
import { defineDatabase } from './define-database.js';
import { idbReady, isSafari } from './idb-ready.js';

// Safari 14's first-open hang cannot run here, so its symptom is reproduced by a factory whose
// databases() only answers on a later call, as Safari 14's did; time is faked.
function hangingFactory(answerOnCall: number) {
  let calls = 0;
  const databases = vi.fn(() => {
    calls += 1;
    return calls >= answerOnCall ? Promise.resolve([]) : new Promise<IDBDatabaseInfo[]>(() => {});
  });
  return { factory: { databases } as unknown as IDBFactory, databases };
}

describe('idbReady (Safari 14 first-open workaround)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('polls indexedDB.databases() every interval until one call answers', async () => {
    const { factory, databases } = hangingFactory(3);
    let ready = false;
    void idbReady(factory, { maxWaitMs: 2_000, intervalMs: 100 }).then(() => {
      ready = true;
    });
    await vi.advanceTimersByTimeAsync(150);
    expect(ready).toBe(false);
    expect(databases).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(100);
    expect(ready).toBe(true);
    expect(databases).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(databases).toHaveBeenCalledTimes(3); // polling stopped
  });

  it('gives up waiting after maxWaitMs and lets the open go ahead', async () => {
    const { factory } = hangingFactory(Number.POSITIVE_INFINITY);
    let ready = false;
    void idbReady(factory, { maxWaitMs: 500, intervalMs: 100 }).then(() => {
      ready = true;
    });
    await vi.advanceTimersByTimeAsync(499);
    expect(ready).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(ready).toBe(true);
  });

  it('waits once per factory', async () => {
    const { factory, databases } = hangingFactory(1);
    await idbReady(factory, { maxWaitMs: 500, intervalMs: 100 });
    await idbReady(factory, { maxWaitMs: 500, intervalMs: 100 });
    expect(databases).toHaveBeenCalledTimes(1);
  });
});

describe('isSafari', () => {
  it.each([
    [
      'Safari 14 on macOS',
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/14.0 Safari/605.1.15',
      true,
    ],
    [
      'Safari on iPad',
      'Mozilla/5.0 (iPad; CPU OS 14_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/14.0 Mobile/15E148 Safari/604.1',
      true,
    ],
    [
      'Chrome',
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
      false,
    ],
    [
      'Chrome on iOS',
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0 Mobile/15E148 Safari/604.1',
      false,
    ],
    ['Firefox', 'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0', false],
  ])('%s', (_name, userAgent, expected) => {
    expect(isSafari(userAgent, false)).toBe(expected);
  });

  it('is false when the browser has userAgentData (Chromium) or no user agent at all', () => {
    expect(isSafari('Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 Version/14.0 Safari/605.1.15', true)).toBe(
      false,
    );
    expect(isSafari(undefined, false)).toBe(false);
  });
});

describe('safariOpenFix option', () => {
  it('polls databases() before the first open when enabled, then opens on the real backend', async () => {
    const databases = vi.spyOn(indexedDB, 'databases');
    const db = defineDatabase({
      name: uniqueName('safari-fix'),
      versions: [{ version: 1, stores: { s: { kind: 'local' } } }],
      safariOpenFix: true,
    });
    expect(await db.count('s')).toBe(0);
    expect(databases).toHaveBeenCalled();
    await db.close();
    databases.mockRestore();
  });
});
