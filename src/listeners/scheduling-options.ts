import { type Clock, timers } from '../rx/clock.js';
import type { Subscribable } from '../rx/observable.js';
import { type RetryOptions, type RetryPolicy, resolveRetry } from '../transport/retry-policy.js';
import { browserEnvironment, type SyncEnvironment } from './environment.js';
import type { PullOutcome } from './pull-signal.js';

/** Options every listener shares: environment, retry policy, and what drives time. */
export interface SchedulingOptions {
  /** Online and visibility signals. Default {@link browserEnvironment}() (listeners added on subscribe). */
  readonly environment?: SyncEnvironment | undefined;
  /**
   * While the page is hidden: `pause` closes the channel and stops signals until it is visible again
   * (then pulls at once); `continue` keeps going. Default `pause`.
   */
  readonly whenHidden?: 'pause' | 'continue' | undefined;
  /**
   * While the device is offline: `pause` closes the channel and stops signals until it is online
   * again (then pulls at once); `continue` keeps trying (for runtimes whose `navigator.onLine` lies).
   * Default `pause`.
   */
  readonly whenOffline?: 'pause' | 'continue' | undefined;
  /**
   * Delays before reconnecting a failed channel and before retrying a failed pull (full jitter,
   * `Retry-After` honoured); see {@link RetryOptions}. Only `initialMs`, `maxMs` and
   * `maxRetryAfterMs` matter here.
   */
  readonly retry?: RetryOptions | undefined;
  /**
   * The sync runner's report of each pull triggered by a signal. Without it the listener cannot know
   * that pulls fail, so it never emits `retry` signals and polls at its plain interval.
   */
  readonly pullOutcomes?: Subscribable<PullOutcome>;
  /** Drives every timer (rxjs `TestScheduler` in tests). Default: `setTimeout` and `Date.now`. */
  readonly scheduler?: Clock;
  /** Random source in `[0, 1)` for jitter. Default `Math.random`. */
  readonly random?: () => number;
}

/** {@link SchedulingOptions} with defaults applied. */
export interface ResolvedScheduling {
  readonly environment: SyncEnvironment;
  readonly whenHidden: 'pause' | 'continue';
  readonly whenOffline: 'pause' | 'continue';
  readonly retry: RetryPolicy;
  readonly pullOutcomes: Subscribable<PullOutcome> | undefined;
  readonly scheduler: Clock;
  readonly random: () => number;
}

/** Applies the defaults of {@link SchedulingOptions}. */
export function resolveScheduling(options: SchedulingOptions): ResolvedScheduling {
  return {
    environment: options.environment ?? browserEnvironment(),
    whenHidden: options.whenHidden ?? 'pause',
    whenOffline: options.whenOffline ?? 'pause',
    retry: resolveRetry(options.retry),
    pullOutcomes: options.pullOutcomes,
    scheduler: options.scheduler ?? timers,
    random: options.random ?? Math.random,
  };
}
