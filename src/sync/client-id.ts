import { type ConnectionSource, transact } from '../idb/transact.js';
import { SYNC_STATE_KEYS, SYNC_STATE_STORE } from './internal-stores.js';

/**
 * This database's client id, created on first use. It lives in the database it identifies: a new
 * database (first install, eviction) gets a new id, so its fresh mutation ids never collide with the
 * ones the server remembers for the old one.
 */
export function ensureClientId(connect: ConnectionSource): Promise<string> {
  return transact(connect, [SYNC_STATE_STORE], 'readwrite', (scope) => {
    const store = scope.store(SYNC_STATE_STORE);
    let clientId = '';
    scope.on(store.get(SYNC_STATE_KEYS.client), (record: { clientId?: string } | undefined) => {
      if (typeof record?.clientId === 'string') {
        clientId = record.clientId;
        return;
      }
      clientId = crypto.randomUUID();
      store.put({ key: SYNC_STATE_KEYS.client, clientId, createdAt: Date.now() });
    });
    return () => clientId;
  });
}
