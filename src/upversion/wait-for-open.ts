import type { Observable } from 'rxjs';
import { map, NEVER, switchMap, timer } from 'rxjs';
import { OpenTimeoutError } from '../errors/open-timeout-error.js';
import { UpgradeBlockedError } from '../errors/upgrade-blocked-error.js';
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
    const subscription = attempt.phase$
      .pipe(
        switchMap((phase) => {
          if (phase === 'blocked') {
            return timer(timeouts.blockedTimeoutMs).pipe(
              map(
                () => new UpgradeBlockedError(timeouts.database, timeouts.version, timeouts.blockedTimeoutMs),
              ),
            );
          }
          if (phase === 'waiting') {
            return timer(timeouts.openTimeoutMs).pipe(
              map(() => new OpenTimeoutError(timeouts.database, timeouts.openTimeoutMs)),
            );
          }
          return NEVER;
        }),
      )
      .subscribe((error) => {
        subscription.unsubscribe();
        reject(error);
      });
    attempt.result.then(
      (opened) => {
        subscription.unsubscribe();
        resolve(opened);
      },
      (error: unknown) => {
        subscription.unsubscribe();
        reject(error);
      },
    );
  });
}
