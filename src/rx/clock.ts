import type { Unsubscribable } from 'rxjs';
import { dateTimestampProvider } from 'rxjs/internal/scheduler/dateTimestampProvider';
import { timeoutProvider } from 'rxjs/internal/scheduler/timeoutProvider';

/**
 * What the SDK's timers need of a scheduler. rxjs's `SchedulerLike` fits (a `TestScheduler` passed
 * as an option drives them); the default is {@link timers}.
 */
export interface Clock {
  now(): number;
  schedule(work: () => void, delay?: number): Unsubscribable;
}

/**
 * The default clock: `setTimeout` and `Date.now` through rxjs's own timer and time providers
 * (already in every bundle that has an `Observable`), so `TestScheduler.run()` drives it as it
 * drives rxjs's `asyncScheduler`, which would cost every app about 1 KB more.
 */
export const timers: Clock = {
  now: () => dateTimestampProvider.now(),
  schedule(work, delay) {
    const timer = timeoutProvider.setTimeout(work, delay);
    return { unsubscribe: () => timeoutProvider.clearTimeout(timer) };
  },
};
