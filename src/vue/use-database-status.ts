import type { ShallowRef } from 'vue';
import { type DatabaseStatus, databaseStatus, databaseStatus$ } from '../bindings/database-status.js';
import type { DatabaseHandle } from '../db/define-database.js';
import { followObservable, lastValue } from './follow-observable.js';

const SERVER_STATUS: DatabaseStatus = { state: 'closed', blocked: false, reloadRequired: false };

/**
 * Where the database handle stands, as a ref: its `state`, `blocked` while this code's upgrade
 * waits for another tab to close the old version, and `reloadRequired` once a newer app version
 * (another tab) upgraded the database past this code. Closed, not blocked, no reload on the server.
 *
 * @example
 * import { watchEffect } from 'vue';
 *
 * const status = useDatabaseStatus(appDb);
 * watchEffect(() => {
 *   if (status.value.reloadRequired) render('A newer version is active: reload');
 *   else if (status.value.blocked) render("Close the app's other tabs to finish the upgrade.");
 * });
 */
export function useDatabaseStatus<S>(database: DatabaseHandle<S>): Readonly<ShallowRef<DatabaseStatus>> {
  return followObservable<DatabaseStatus, DatabaseStatus>({
    source: () => databaseStatus$(database as DatabaseHandle<unknown>),
    initial: () => databaseStatus(database as DatabaseHandle<unknown>),
    reduce: lastValue,
    server: SERVER_STATUS,
  });
}
