import { type DatabaseStatus, databaseStatus, databaseStatus$ } from '../bindings/database-status.js';
import type { DatabaseHandle } from '../db/define-database.js';
import { lastValue, useObservableStore } from './use-observable.js';

const SERVER_STATUS: DatabaseStatus = { state: 'closed', blocked: false, reloadRequired: false };

/**
 * Where the database handle stands: its `state`, `blocked` while this code's upgrade waits for
 * another tab to close the old version, and `reloadRequired` once a newer app version (another tab)
 * upgraded the database past this code. Closed, not blocked, no reload on the server.
 *
 * @example
 * function NewerVersionBanner() {
 *   const { reloadRequired, blocked } = useDatabaseStatus(appDb);
 *   if (reloadRequired)
 *     return <button type="button" onClick={() => location.reload()}>A newer version is active: reload</button>;
 *   return blocked ? <p>Close the app's other tabs to finish the upgrade.</p> : null;
 * }
 */
export function useDatabaseStatus<S>(database: DatabaseHandle<S>): DatabaseStatus {
  return useObservableStore(
    () => databaseStatus$(database as DatabaseHandle<unknown>),
    [database],
    () => databaseStatus(database as DatabaseHandle<unknown>),
    lastValue,
    SERVER_STATUS,
  );
}
