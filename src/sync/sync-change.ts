import type { RecordValue } from '../protocol/messages.js';

/**
 * One record change, emitted after the transaction that made it committed. `origin: 'local'` are
 * writes of this app (`client.write`/`delete`, in any tab); `remote` are changes from the server
 * (pulls, conflict resolutions, rollbacks of rejected writes). `value` is the stored record; it is
 * absent for deletes and for changes announced by another tab.
 */
export interface SyncChange {
  readonly store: string;
  readonly type: 'put' | 'delete';
  readonly id: string;
  readonly value?: RecordValue;
  readonly origin: 'remote' | 'local';
}
