import { Subject } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StoreChange } from '../db/database-changes.js';
import { liveQuery } from './live-query.js';

const put = (store: string, key: IDBValidKey): StoreChange => ({ store, type: 'put', key, origin: 'local' });

/** A query whose runs the test finishes by hand, in any order. */
function manualQuery() {
  const runs: { resolve: (value: number) => void; reject: (error: unknown) => void }[] = [];
  const query = () =>
    new Promise<number>((resolve, reject) => {
      runs.push({ resolve, reject });
    });
  return { runs, query };
}

// Pure scheduling logic, no IndexedDB: run it once, in the fake-indexeddb project.
describe.runIf(globalThis.__IDB_BACKEND__ === 'fake-indexeddb')('liveQuery', () => {
  let changes$: Subject<StoreChange>;
  beforeEach(() => {
    vi.useFakeTimers();
    changes$ = new Subject();
  });
  afterEach(() => vi.useRealTimers());

  it('runs on subscribe, then once per burst: a page of 5,000 changes re-runs the query once', async () => {
    let runs = 0;
    const seen: number[] = [];
    const sub = liveQuery({ changes$ }, ['work_orders'], () => ++runs).subscribe((v) => seen.push(v));
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual([1]);
    for (let i = 0; i < 5_000; i += 1) changes$.next(put('work_orders', `wo-${i}`));
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual([1, 2]);
    sub.unsubscribe();
  });

  it('never overlaps runs: changes during a run cause exactly one more run, results in order', async () => {
    const { runs, query } = manualQuery();
    const seen: number[] = [];
    const sub = liveQuery({ changes$ }, ['work_orders'], query).subscribe((v) => seen.push(v));
    expect(runs).toHaveLength(1);
    changes$.next(put('work_orders', 'a'));
    changes$.next(put('work_orders', 'b'));
    await vi.advanceTimersByTimeAsync(10);
    expect(runs).toHaveLength(1); // still running: no second run alongside it
    runs[0]!.resolve(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual([1]);
    expect(runs).toHaveLength(2);
    changes$.next(put('work_orders', 'c'));
    runs[1]!.resolve(2);
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toHaveLength(3);
    runs[2]!.resolve(3);
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual([1, 2, 3]);
    expect(runs).toHaveLength(3);
    sub.unsubscribe();
  });

  it('ignores changes of other stores and changes `relevant` rejects', async () => {
    let runs = 0;
    const sub = liveQuery({ changes$ }, ['work_orders', 'customers'], () => ++runs, {
      relevant: (c) => c.key !== 'ignored',
    }).subscribe();
    await vi.advanceTimersByTimeAsync(0);
    changes$.next(put('parts', 'p1'));
    changes$.next(put('work_orders', 'ignored'));
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toBe(1);
    changes$.next({ store: 'customers', type: 'delete', key: 'c1', origin: 'remote' });
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toBe(2);
    sub.unsubscribe();
  });

  it('gathers the changes of coalesceMs into one run', async () => {
    let runs = 0;
    const sub = liveQuery({ changes$ }, ['work_orders'], () => ++runs, { coalesceMs: 50 }).subscribe();
    await vi.advanceTimersByTimeAsync(0);
    changes$.next(put('work_orders', 'a'));
    await vi.advanceTimersByTimeAsync(30);
    changes$.next(put('work_orders', 'b'));
    await vi.advanceTimersByTimeAsync(19);
    expect(runs).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toBe(2);
    sub.unsubscribe();
  });

  it('unsubscribing stops following changes, cancels a pending re-run and drops a result under way', async () => {
    const { runs, query } = manualQuery();
    const seen: number[] = [];
    const sub = liveQuery({ changes$ }, ['work_orders'], query, { coalesceMs: 100 }).subscribe((v) =>
      seen.push(v),
    );
    runs[0]!.resolve(1);
    await vi.advanceTimersByTimeAsync(0);
    changes$.next(put('work_orders', 'a'));
    expect(vi.getTimerCount()).toBe(1);
    sub.unsubscribe();
    expect(changes$.observed).toBe(false);
    expect(vi.getTimerCount()).toBe(0);

    const second = liveQuery({ changes$ }, ['work_orders'], query).subscribe((v) => seen.push(v));
    second.unsubscribe();
    runs[1]!.resolve(99);
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual([1]);
  });

  it('a failing query errors the observable', async () => {
    const failure = new Error('the read failed');
    const errors: unknown[] = [];
    liveQuery({ changes$ }, ['work_orders'], () => Promise.reject(failure)).subscribe({
      error: (e) => errors.push(e),
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toEqual([failure]);
    expect(changes$.observed).toBe(false);
  });
});
