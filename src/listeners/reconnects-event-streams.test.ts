import { from, type Observable, of } from 'rxjs';
import type { ColdObservable } from 'rxjs/internal/testing/ColdObservable';
import { type RunHelpers, TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { ServerEvent, ServerEventSource } from '../transport/sync-transport.js';
import type { SyncEnvironment } from './environment.js';
import type { PullSignal } from './pull-signal.js';
import { sseListener } from './sse-listener.js';
import { webSocketListener } from './web-socket-listener.js';

const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
/** Runs `fn` in virtual time; the listeners' timers run on `scheduler` (passed as their option). */
const virtualTime = (fn: (helpers: RunHelpers & { scheduler: TestScheduler }) => void) => {
  const scheduler = testScheduler();
  scheduler.run((helpers) => fn({ ...helpers, scheduler }));
};
const always: SyncEnvironment = { online$: of(true), visible$: of(true) };

const events = {
  o: { type: 'open', heartbeatMs: 10 },
  h: { type: 'heartbeat' },
  a: { type: 'poke', poke: { collection: 'work_orders', seq: 3 } },
  b: { type: 'poke', poke: { collection: 'customers', seq: 9 } },
} satisfies Record<string, ServerEvent>;

const sse = (reason: PullSignal['reason'], collections?: string[]): PullSignal =>
  collections === undefined ? { reason, transport: 'sse' } : { reason, collections, transport: 'sse' };
const values = {
  s: sse('start'),
  c: sse('connected'),
  a: sse('poke', ['work_orders']),
  b: sse('poke', ['customers']),
  r: sse('retry'),
  o: sse('online'),
};

/** A source whose n-th subscription gets the n-th stream (the last one repeats). */
function sourceOf(streams: ColdObservable<ServerEvent>[]): ServerEventSource {
  let n = 0;
  return {
    events: () => {
      const stream = streams[Math.min(n, streams.length - 1)]!;
      n += 1;
      return stream as Observable<ServerEvent>;
    },
  };
}

// Pure scheduling logic, no IndexedDB: run it once, in the fake-indexeddb project.
describe.runIf(globalThis.__IDB_BACKEND__ === 'fake-indexeddb')('SSE and WebSocket listeners', () => {
  it('signals start, then connected when the stream opens, then a poke per changed collection', () => {
    virtualTime(({ scheduler, cold, expectObservable }) => {
      const stream = cold<ServerEvent>('-o 2ms a 2ms b', events);
      const listener = sseListener({ scheduler, transport: sourceOf([stream]), environment: always });
      expectObservable(from(listener), '^ 20ms !').toBe('s c 2ms a 2ms b', values);
    });
  });

  it('reconnects a failed stream after a full-jitter backoff that grows until a connect succeeds', () => {
    virtualTime(({ scheduler, cold, expectObservable, expectSubscriptions }) => {
      const refused = cold<ServerEvent>('#', {}, new Error('refused'));
      const works = cold<ServerEvent>('o 3ms a', events);
      const listener = sseListener({
        scheduler,
        transport: sourceOf([refused, refused, refused, works]),
        environment: always,
        random: () => 0.5,
        retry: { initialMs: 8 },
      });
      // refused@0 → wait 4; refused@4 → wait 8; refused@12 → wait 16; open@28, poke@32.
      expectObservable(from(listener), '^ 40ms !').toBe('s 27ms c 3ms a', values);
      expectSubscriptions(works.subscriptions).toBe('28ms ^ 12ms !');
    });
  });

  it('reconnects a stream the server ended, and resets the backoff after a successful open', () => {
    virtualTime(({ scheduler, cold, expectObservable }) => {
      const short = cold<ServerEvent>('o 2ms |', events);
      const listener = sseListener({
        scheduler,
        transport: sourceOf([short]),
        environment: always,
        random: () => 0.5,
        retry: { initialMs: 8 },
      });
      // open@0, end@3 → 1st failure → wait 4 → open@7, end@10 → again 1st failure (reset by the open) → open@14.
      expectObservable(from(listener), '^ 15ms !').toBe('(sc) 3ms c 6ms c', values);
    });
  });

  it('treats a stream silent for three heartbeat intervals as dead and reconnects', () => {
    virtualTime(({ scheduler, cold, expectObservable, expectSubscriptions }) => {
      const silent = cold<ServerEvent>('o 9ms h', events);
      const fresh = cold<ServerEvent>('o', events);
      const listener = sseListener({
        scheduler,
        transport: sourceOf([silent, fresh]),
        environment: always,
        random: () => 0,
      });
      // heartbeat every 10 announced; last event @10 → dead @40 → reconnect at once (random 0).
      expectObservable(from(listener), '^ 45ms !').toBe('(sc) 36ms c', values);
      expectSubscriptions(silent.subscriptions).toBe('^ 39ms !');
    });
  });

  it('closes the stream while offline and reconnects with an immediate signal when back online', () => {
    virtualTime(({ scheduler, cold, hot, expectObservable, expectSubscriptions }) => {
      const stream = cold<ServerEvent>('o', events);
      const online$ = hot('t 9ms f 9ms t', { t: true, f: false }) as Observable<boolean>;
      const listener = sseListener({
        scheduler,
        transport: sourceOf([stream]),
        environment: { online$, visible$: of(true) },
      });
      expectObservable(from(listener), '^ 30ms !').toBe('(sc) 16ms (oc)', values);
      expectSubscriptions(stream.subscriptions).toBe(['^ 9ms !', '20ms ^ 10ms !']);
    });
  });

  it('holds the reconnect until the Retry-After of the refusal has passed', () => {
    virtualTime(({ scheduler, cold, expectObservable }) => {
      const busy = cold<ServerEvent>('#', {}, { code: 'SERVER_ERROR', retryAfterMs: 30 });
      const works = cold<ServerEvent>('o', events);
      const listener = sseListener({
        scheduler,
        transport: sourceOf([busy, works]),
        environment: always,
        random: () => 0,
      });
      expectObservable(from(listener), '^ 40ms !').toBe('s 29ms c', values);
    });
  });

  it('holds pokes while the Retry-After of a failed pull runs, then releases them merged into one signal', () => {
    virtualTime(({ scheduler, cold, hot, expectObservable }) => {
      const stream = cold<ServerEvent>('o 4ms a 1ms b', events);
      const pullOutcomes = hot('1ms f', {
        f: { ok: false as const, error: { code: 'SERVER_ERROR', retryAfterMs: 20 } },
      });
      const listener = sseListener({
        scheduler,
        transport: sourceOf([stream]),
        environment: always,
        pullOutcomes,
        random: () => 0,
      });
      expectObservable(from(listener), '^ 30ms !').toBe('(sc) 17ms (rm)', {
        ...values,
        m: sse('poke', ['work_orders', 'customers']),
      });
    });
  });

  it('labels WebSocket signals with their transport', () => {
    virtualTime(({ scheduler, cold, expectObservable }) => {
      const stream = cold<ServerEvent>('-o a', events);
      const listener = webSocketListener({ scheduler, transport: sourceOf([stream]), environment: always });
      expectObservable(from(listener), '^ 5ms !').toBe('s c a', {
        s: { reason: 'start', transport: 'websocket' },
        c: { reason: 'connected', transport: 'websocket' },
        a: { reason: 'poke', collections: ['work_orders'], transport: 'websocket' },
      });
    });
  });
});
