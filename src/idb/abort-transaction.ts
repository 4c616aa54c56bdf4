/**
 * Aborts `tx` from inside a request callback rather than right away: indexeddbshim 17 wedges the
 * connection when a transaction is aborted before its first request ran (every later transaction
 * on it hangs). Elsewhere this costs one read of a key that does not exist.
 */
export function abortTransaction(tx: IDBTransaction, store: string | undefined): void {
  const abort = (): void => {
    try {
      tx.abort();
    } catch {
      // already finishing on its own
    }
  };
  if (store === undefined) {
    abort();
    return;
  }
  try {
    const probe = tx.objectStore(store).get(abortProbeKey);
    probe.onsuccess = abort;
    probe.onerror = abort;
  } catch {
    abort(); // no longer active: abort directly
  }
}

const abortProbeKey = '\u0000idb-sync:abort';
