import type { DatabaseState } from '../db/database-state.js';
import type { DatabaseHandle } from '../db/define-database.js';
import { isIdbSyncError } from '../errors/idb-sync-error.js';
import { Observable } from '../rx/observable.js';
import { distinct } from '../rx/operators.js';

/** Where a database handle stands, as an app shows it. */
export interface DatabaseStatus {
  /** The handle's state (`state$`). */
  readonly state: DatabaseState;
  /**
   * True while this code's upgrade waits for another tab to close the old version (the state
   * `blocked`): ask the user to close the app's other tabs. The upgrade goes on by itself after.
   */
  readonly blocked: boolean;
  /**
   * True once a newer version of the app (another tab) upgraded the database past what this code
   * declares: this page must reload to get the newer code. Stays true.
   */
  readonly reloadRequired: boolean;
}

/** Handles a binding saw upgraded past their code (a reload is required, whoever asks later). */
const outdated = /* @__PURE__ */ new WeakSet<object>();

/** The status of `database` now (what a binding shows before it follows the handle). */
export function databaseStatus(database: DatabaseHandle<unknown>, state = database.state): DatabaseStatus {
  return { state, blocked: state === 'blocked', reloadRequired: outdated.has(database) };
}

/**
 * `database`'s status as it changes: its state, and `reloadRequired` from the moment it hears of a
 * newer version (a `versionchange` event that requires a reload, or an open failing with
 * `DATABASE_VERSION_TOO_OLD`).
 */
export function databaseStatus$(database: DatabaseHandle<unknown>): Observable<DatabaseStatus> {
  const statuses = new Observable<DatabaseStatus>((subscriber) => {
    let state = database.state;
    const emit = () => subscriber.next(databaseStatus(database, state));
    const events = database.events$.subscribe((event) => {
      const newer =
        (event.type === 'versionchange' && event.reloadRequired) ||
        (event.type === 'error' && isIdbSyncError(event.error, 'DATABASE_VERSION_TOO_OLD'));
      if (newer && !outdated.has(database)) {
        outdated.add(database);
        emit();
      }
    });
    const states = database.state$.subscribe((next) => {
      state = next;
      emit();
    });
    return () => {
      events.unsubscribe();
      states.unsubscribe();
    };
  });
  return distinct(
    statuses,
    (a, b) => a.state === b.state && a.blocked === b.blocked && a.reloadRequired === b.reloadRequired,
  );
}
