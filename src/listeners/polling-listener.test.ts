import { from, type Observable, of } from 'rxjs';
import { type RunHelpers, TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { SyncEnvironment } from './environment.js';
import { pollingListener } from './polling-listener.js';
import type { PullOutcome, PullSignal } from './pull-signal.js';

const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
/** Runs `fn` in virtual time; the listeners' timers run on `scheduler` (passed as their option). */
const virtualTime = (fn: (helpers: RunHelpers & { scheduler: TestScheduler }) => void) => {
  const scheduler = testScheduler();
  scheduler.run((helpers) => fn({ ...helpers, scheduler }));
};

const signal = (reason: PullSignal['reason']): PullSignal => ({ reason, transport: 'polling' });
const values = {
  s: signal('start'),
  i: signal('interval'),
  o: signal('online'),
  v: signal('visible'),
  r: signal('retry'),
};
const always: SyncEnvironment = { online$: of(true), visible$: of(true) };

// Pure scheduling logic, no IndexedDB: run it once, in the fake-indexeddb project.
describe.runIf(globalThis.__IDB_BACKEND__ === 'fake-indexeddb')('polling listener', () => {
  it('signals at once on subscribe, then every interval', () => {
    virtualTime(({ scheduler, expectObservable }) => {
      const listener = pollingListener({ scheduler, intervalMs: 10, environment: always });
      expectObservable(from(listener), '^ 35ms !').toBe('s 9ms i 9ms i 9ms i', values);
    });
  });

  it('is silent while offline and pulls at once when back online, restarting the interval', () => {
    virtualTime(({ scheduler, hot, expectObservable }) => {
      const online$ = hot('t 14ms f 19ms t', { t: true, f: false }) as Observable<boolean>;
      const listener = pollingListener({
        scheduler,
        intervalMs: 10,
        environment: { online$, visible$: of(true) },
      });
      expectObservable(from(listener), '^ 50ms !').toBe('s 9ms i 24ms o 9ms i', values);
    });
  });

  it('pauses while hidden unless told to continue', () => {
    virtualTime(({ scheduler, hot, expectObservable }) => {
      const visible$ = hot('t 4ms f 19ms t', { t: true, f: false }) as Observable<boolean>;
      const paused = pollingListener({
        scheduler,
        intervalMs: 10,
        environment: { online$: of(true), visible$ },
      });
      expectObservable(from(paused), '^ 30ms !').toBe('s 24ms v', values);
      const continuing = pollingListener({
        scheduler,
        intervalMs: 10,
        environment: { online$: of(true), visible$ },
        whenHidden: 'continue',
      });
      expectObservable(from(continuing), '^ 30ms !').toBe('s 9ms i 9ms i 9ms i', values);
    });
  });

  it('does not start while offline', () => {
    virtualTime(({ scheduler, hot, expectObservable }) => {
      const online$ = hot('f 19ms t', { t: true, f: false }) as Observable<boolean>;
      const listener = pollingListener({
        scheduler,
        intervalMs: 10,
        environment: { online$, visible$: of(true) },
      });
      expectObservable(from(listener), '^ 30ms !').toBe('20ms o 9ms i', values);
    });
  });

  it('backs off after failed pulls with growing jittered delays, pausing ticks until a pull succeeds', () => {
    virtualTime(({ scheduler, hot, expectObservable }) => {
      // random() = 0.5: delays are half of 8, 16, 32 ms (initialMs 8, doubling).
      const failed: PullOutcome = { ok: false, error: new Error('offline server') };
      const pullOutcomes = hot('1ms a 4ms b 8ms c 16ms d', {
        a: failed,
        b: failed,
        c: failed,
        d: { ok: true },
      }) as Observable<PullOutcome>;
      const listener = pollingListener({
        scheduler,
        intervalMs: 20,
        environment: always,
        pullOutcomes,
        random: () => 0.5,
        retry: { initialMs: 8 },
      });
      // fail@1 → retry@5; fail@6 → retry@14; fail@15 → retry@31; ok@32; ticks at 40, 60 (phase kept).
      expectObservable(from(listener), '^ 65ms !').toBe('s 4ms r 8ms r 16ms r 8ms i 19ms i', values);
    });
  });

  it('waits at least the Retry-After the failed pull carried', () => {
    virtualTime(({ scheduler, hot, expectObservable }) => {
      const pullOutcomes = hot('2ms a', {
        a: { ok: false, error: { code: 'SERVER_ERROR', retryAfterMs: 50 } },
      }) as Observable<PullOutcome>;
      const listener = pollingListener({
        scheduler,
        intervalMs: 10,
        environment: always,
        pullOutcomes,
        random: () => 0.5,
        retry: { initialMs: 8 },
      });
      expectObservable(from(listener), '^ 55ms !').toBe('s 51ms r', values);
    });
  });

  it('caps the backoff at maxMs and a huge Retry-After at maxRetryAfterMs', () => {
    virtualTime(({ scheduler, hot, expectObservable }) => {
      const failed: PullOutcome = { ok: false, error: new Error('x') };
      const pullOutcomes = hot('a 9ms b 9ms c', {
        a: failed,
        b: failed,
        c: { ok: false, error: { retryAfterMs: 86_400_000 } },
      }) as Observable<PullOutcome>;
      const listener = pollingListener({
        scheduler,
        intervalMs: 1_000,
        environment: always,
        pullOutcomes,
        random: () => 0.999,
        retry: { initialMs: 8, maxMs: 9, maxRetryAfterMs: 100 },
      });
      // fail@0 → 7 (0.999×8); fail@10 → 8 (0.999×min(9,16)); fail@20 → held 100 ms.
      expectObservable(from(listener), '^ 130ms !').toBe('s 6ms r 10ms r 101ms r', values);
    });
  });
});
