// The handle's own raw connection, for pages that inspect stores as the SDK wrote them. Apps have no
// such access: a raw connection could write past the outbox.
import { type IDBPDatabase, wrap } from 'idb';
import { rawConnection } from '../../../src/db/database-handle.js';

/** The handle's raw connection (opening the database if needed). */
export function rawConnectionOf(handle: object): Promise<IDBDatabase> {
  return (handle as { [rawConnection](): Promise<IDBDatabase> })[rawConnection]();
}

/** The same connection, wrapped by idb. */
export async function idbOf(handle: object): Promise<IDBPDatabase> {
  return wrap(await rawConnectionOf(handle)) as IDBPDatabase;
}
