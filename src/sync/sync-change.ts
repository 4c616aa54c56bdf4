import type { SyncedKey } from './record-key.js';

/**
 * A record change the sync client made in IndexedDB (a pulled change, a conflict resolution, the
 * rollback of a refused write), reported after its transaction committed. The client hands these
 * to the database handle, whose `changes$` announces them with `origin: 'remote'`.
 */
export interface SyncChange {
  readonly store: string;
  readonly type: 'put' | 'delete';
  /** The record's local key. */
  readonly key: SyncedKey;
}
