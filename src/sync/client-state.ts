import { type ConnectionSource, transact } from '../idb/transact.js';
import type { Capabilities } from '../protocol/messages.js';
import { SYNC_STATE_KEYS, SYNC_STATE_STORE } from './internal-stores.js';

/** What a run reads from the sync state before it starts. */
export interface ClientState {
  readonly clientId: string;
  /** The server's capabilities as the last run that asked saw them (see `runSync`). */
  readonly capabilities: Capabilities | undefined;
}

/**
 * This database's client id, created on first use, and the cached capabilities. The id lives in the
 * database it identifies: a new database (first install, eviction) gets a new id, so its fresh
 * mutation ids never collide with the ones the server remembers for the old one.
 */
export function loadClientState(connect: ConnectionSource): Promise<ClientState> {
  return transact(connect, [SYNC_STATE_STORE], 'readwrite', (scope) => {
    const store = scope.store(SYNC_STATE_STORE);
    let clientId = '';
    let capabilities: Capabilities | undefined;
    scope.on(store.get(SYNC_STATE_KEYS.client), (record: { clientId?: string } | undefined) => {
      if (typeof record?.clientId === 'string') {
        clientId = record.clientId;
        return;
      }
      clientId = crypto.randomUUID();
      store.put({ key: SYNC_STATE_KEYS.client, clientId, createdAt: Date.now() });
    });
    scope.on(store.get(SYNC_STATE_KEYS.capabilities), (record: { value: Capabilities } | undefined) => {
      capabilities = record?.value;
    });
    return () => ({ clientId, capabilities });
  });
}

/** Keeps (or, with `undefined`, forgets) the capabilities the next runs start from. */
export function saveCapabilities(connect: ConnectionSource, value: Capabilities | undefined): Promise<void> {
  return transact(connect, [SYNC_STATE_STORE], 'readwrite', (scope) => {
    const store = scope.store(SYNC_STATE_STORE);
    const key = SYNC_STATE_KEYS.capabilities;
    if (value) store.put({ key, value, at: Date.now() });
    else store.delete(key);
    return () => undefined;
  });
}
