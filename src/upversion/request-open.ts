import { IndexedDBUnavailableError } from '../errors/indexeddb-unavailable-error.js';
import type { RunningUpgrade } from './apply-upgrade.js';

/** Where an open stands; the waiters' timeouts depend on it. */
export type OpenPhase =
  /** An open request is out and nothing has come back yet. */
  | 'waiting'
  /** Another connection holds an older version open. */
  | 'blocked'
  /** The versionchange transaction is running. */
  | 'upgrading'
  /** Between requests: checking the structure, writing the marker. */
  | 'checking';

/** Callbacks of one `indexedDB.open()` request. */
export interface OpenRequestHooks {
  readonly onPhase: (phase: OpenPhase) => void;
  /**
   * Starts the upgrade inside `upgradeneeded`. Without it an upgrade is aborted: an open without a
   * version must not create a database that vanished in the meantime.
   */
  readonly upgrade?: (db: IDBDatabase, tx: IDBTransaction, event: IDBVersionChangeEvent) => RunningUpgrade;
}

/** A connection and the upgrade that ran while opening it, if any. */
export interface OpenedConnection {
  readonly db: IDBDatabase;
  readonly upgrade: RunningUpgrade | undefined;
}

/**
 * One `indexedDB.open()` as a promise. It never gives up by itself (a blocked request stays queued
 * in the browser); waiters put timeouts on it. Rejects with the upgrade's `UpgradeFailedError`
 * when the upgrade failed, with `IndexedDBUnavailableError` when `open` throws, or with the
 * request's DOMException.
 */
export function requestOpen(
  factory: IDBFactory,
  name: string,
  version: number | undefined,
  hooks: OpenRequestHooks,
): Promise<OpenedConnection> {
  return new Promise((resolve, reject) => {
    let request: IDBOpenDBRequest;
    try {
      request = version === undefined ? factory.open(name) : factory.open(name, version);
    } catch (error) {
      // Sandboxed iframes and some privacy modes throw right away (SecurityError).
      reject(new IndexedDBUnavailableError(name, 'open-failed', error));
      return;
    }
    let upgrade: RunningUpgrade | undefined;
    hooks.onPhase('waiting');
    request.onblocked = () => hooks.onPhase('blocked');
    request.onupgradeneeded = (event) => {
      hooks.onPhase('upgrading');
      const tx = request.transaction!;
      if (!hooks.upgrade) {
        tx.abort();
        return;
      }
      upgrade = hooks.upgrade(request.result, tx, event);
    };
    request.onsuccess = () => {
      const db = request.result;
      // Until a handle adopts it, this connection must not hold up another tab's upgrade.
      db.onversionchange = () => db.close();
      resolve({ db, upgrade });
    };
    request.onerror = (event) => {
      event.preventDefault();
      reject(upgrade?.failure() ?? request.error);
    };
  });
}
