import { OpenTimeoutError } from '../errors/open-timeout-error.js';
import { UpgradeBlockedError } from '../errors/upgrade-blocked-error.js';
import type { Observable } from '../rx/observable.js';
import type { OpenPhase } from './request-open.js';

/** How long a waiter lets an open be blocked or silent. */
export interface OpenTimeouts {
  readonly database: string;
  /** The app version asked for (named in {@link UpgradeBlockedError}). */
  readonly version: number;
  /** Longest stretch in `blocked` before rejecting with {@link UpgradeBlockedError}. */
  readonly blockedTimeoutMs: number;
  /** Longest stretch with no answer at all before rejecting with {@link OpenTimeoutError}. */
  readonly openTimeoutMs: number;
}

/**
 * Waits for an open attempt, but never forever: each stretch spent `blocked` or `waiting` is timed
 * from when it starts (or from when this waiter came, if later). The attempt itself goes on after
 * a timeout, so a later waiter gets the connection once the blocking tab lets go.
 */
export function waitForOpen<T>(
  attempt: { readonly phase$: Observable<OpenPhase>; readonly result: Promise<T> },
  timeouts: OpenTimeouts,
): Promise<T> {
  return new Promise((resolve, reject) => {
    // Plain timers rather than rxjs `timer`: this is on the path of every app (defineDatabase), and
    // rxjs's schedulers would cost it about 3 KB.
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Only called asynchronously (a timer, the result), so `subscription` is set by then.
    const settle = (): void => {
      clearTimeout(timer);
      subscription.unsubscribe();
    };
    const subscription = attempt.phase$.subscribe((phase) => {
      clearTimeout(timer);
      const error =
        phase === 'blocked'
          ? () => new UpgradeBlockedError(timeouts.database, timeouts.version, timeouts.blockedTimeoutMs)
          : phase === 'waiting'
            ? () => new OpenTimeoutError(timeouts.database, timeouts.openTimeoutMs)
            : undefined;
      if (error === undefined) return;
      timer = setTimeout(
        () => {
          settle();
          reject(error());
        },
        phase === 'blocked' ? timeouts.blockedTimeoutMs : timeouts.openTimeoutMs,
      );
    });
    attempt.result.then(
      (opened) => {
        settle();
        resolve(opened);
      },
      (error: unknown) => {
        settle();
        reject(error);
      },
    );
  });
}
