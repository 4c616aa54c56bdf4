import { filter, firstValueFrom, from, map, toArray } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { Observable } from './observable.js';

const counter = (teardown: () => void) =>
  new Observable<number>((subscriber) => {
    subscriber.next(1);
    subscriber.next(2);
    return teardown;
  });

// Pure stream logic, no IndexedDB: run it once, in the fake-indexeddb project.
describe.runIf(globalThis.__IDB_BACKEND__ === 'fake-indexeddb')('Observable', () => {
  it('starts the producer for each subscriber and takes a function or an observer', () => {
    let starts = 0;
    const source = new Observable<string>((subscriber) => {
      starts += 1;
      subscriber.next('a');
      subscriber.complete();
    });
    const seen: string[] = [];
    let completed = false;
    source.subscribe((value) => seen.push(value));
    source.subscribe({ next: (value) => seen.push(value.toUpperCase()), complete: () => (completed = true) });
    expect(starts).toBe(2);
    expect(seen).toEqual(['a', 'A']);
    expect(completed).toBe(true);
  });

  it('runs the teardown once on unsubscribe, and sends nothing after', () => {
    const teardown = vi.fn();
    let send: ((value: number) => void) | undefined;
    const source = new Observable<number>((subscriber) => {
      send = (value) => subscriber.next(value);
      return teardown;
    });
    const seen: number[] = [];
    const subscription = source.subscribe((value) => seen.push(value));
    send?.(1);
    expect(subscription.closed).toBe(false);
    subscription.unsubscribe();
    subscription.unsubscribe();
    send?.(2);
    expect(seen).toEqual([1]);
    expect(teardown).toHaveBeenCalledTimes(1);
    expect(subscription.closed).toBe(true);
  });

  it('tears down after an error or completion, also one sent while starting', () => {
    const teardown = vi.fn();
    const errors: unknown[] = [];
    const failing = new Observable<number>((subscriber) => {
      subscriber.error(new Error('boom'));
      subscriber.next(1);
      return teardown;
    });
    const subscription = failing.subscribe({
      next: () => errors.push('value'),
      error: (e) => errors.push(e),
    });
    expect(errors).toEqual([new Error('boom')]);
    expect(teardown).toHaveBeenCalledTimes(1);
    expect(subscription.closed).toBe(true);

    const unsubscribing = new Observable<number>(() => ({ unsubscribe: teardown }));
    unsubscribing.subscribe().unsubscribe();
    expect(teardown).toHaveBeenCalledTimes(2);
  });

  it('gives an error thrown by the producer to the error handler', () => {
    const errors: unknown[] = [];
    new Observable<number>(() => {
      throw new Error('producer');
    }).subscribe({ error: (e) => errors.push(e) });
    expect(errors).toEqual([new Error('producer')]);
  });

  it('reports an error thrown by a consumer on its own stack, not to the producer', async () => {
    vi.useFakeTimers();
    try {
      const after = vi.fn();
      counter(() => {}).subscribe((value) => {
        after(value);
        if (value === 1) throw new Error('consumer');
      });
      expect(after).toHaveBeenCalledTimes(2);
      expect(() => vi.runAllTimers()).toThrow('consumer');
    } finally {
      vi.useRealTimers();
    }
  });

  it("is accepted by rxjs's from(), which gives rxjs's operators", async () => {
    const teardown = vi.fn();
    const values = await firstValueFrom(
      from(counter(teardown)).pipe(
        map((n) => n * 10),
        filter((n) => n > 10),
      ),
    );
    expect(values).toBe(20);
    expect(teardown).toHaveBeenCalledTimes(1);
    const all = firstValueFrom(
      from(
        new Observable<number>((s) => {
          s.next(1);
          s.next(2);
          s.complete();
        }),
      ).pipe(toArray()),
    );
    await expect(all).resolves.toEqual([1, 2]);
  });
});
