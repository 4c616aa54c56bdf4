import type { Unsubscribable } from './observable.js';

/**
 * What the SDK's timers need of a scheduler: `now()` and `schedule(work, delay)`. rxjs's
 * `SchedulerLike` fits, so a `TestScheduler` passed as an option drives them in tests; the default
 * is `setTimeout` and `Date.now`.
 */
export interface Clock {
  /** The current time in milliseconds. */
  now(): number;
  /** Runs `work` once after `delay` milliseconds (0 by default) unless unsubscribed first. */
  schedule(work: () => void, delay?: number): Unsubscribable;
}

/** The default clock: `setTimeout` and `Date.now`, looked up when called (fake timers apply). */
export const timers: Clock = {
  now: () => Date.now(),
  schedule(work, delay) {
    const timer = setTimeout(work, delay);
    return { unsubscribe: () => clearTimeout(timer) };
  },
};
