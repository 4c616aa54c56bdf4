import { IndexedDBUnavailableError } from '../errors/indexeddb-unavailable-error.js';

/**
 * The IndexedDB factory to use: the one given, or the global `indexedDB` read now (not at import,
 * so a test or a polyfill installed later is seen). Throws {@link IndexedDBUnavailableError}.
 */
export function resolveFactory(database: string, explicit: IDBFactory | undefined): IDBFactory {
  if (explicit) return explicit;
  let factory: IDBFactory | undefined;
  try {
    factory = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  } catch (error) {
    // Firefox with storage blocked and sandboxed iframes throw SecurityError on the mere read.
    throw new IndexedDBUnavailableError(database, 'access-denied', error);
  }
  if (!factory || typeof factory.open !== 'function')
    throw new IndexedDBUnavailableError(database, 'missing');
  return factory;
}
