import { IdbSyncError } from './idb-sync-error.js';

/**
 * The server refused a local write for good (`reason`: `read-only` collection, `forbidden`,
 * `invalid`). The write left the outbox and was rolled back locally: the record is back to the
 * value it had before (a record created locally is deleted). Reported on the client's `errors$`.
 */
export class MutationRejectedError extends IdbSyncError {
  override readonly name = 'MutationRejectedError' as const;
  readonly code = 'MUTATION_REJECTED' as const;

  /** The collection of the record. */
  declare readonly store: string;
  /** The record's key (a number in a `keyType: 'number'` store). */
  declare readonly id: string | number;
  /** The refused mutation. */
  declare readonly mutationId: number;
  /** Why the server refused it. */
  declare readonly reason: 'read-only' | 'forbidden' | 'invalid' | 'expired';

  constructor(
    store: string,
    id: string | number,
    mutationId: number,
    reason: 'read-only' | 'forbidden' | 'invalid' | 'expired',
  ) {
    super(`The server rejected write ${mutationId} to collection "${store}" (${reason}); it was rolled back`);
    this.store = store;
    this.id = id;
    this.mutationId = mutationId;
    this.reason = reason;
  }
}
