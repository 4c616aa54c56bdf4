import { IdbSyncError } from './idb-sync-error.js';

/**
 * The server can no longer serve a pull from the given checkpoint (it is older than the server's
 * tombstone horizon): the client must drop the checkpoint and do a full sync of the collection
 * (`checkpoint: null`). Not retryable as is.
 */
export class ResetRequiredError extends IdbSyncError {
  override readonly name = 'ResetRequiredError' as const;
  readonly code = 'RESET_REQUIRED' as const;
  /** Never: the same checkpoint will keep failing. */
  readonly retryable = false as const;
  /** Never set; present so every transport error has the same shape. */
  readonly retryAfterMs: number | undefined = undefined;

  /** The collection whose checkpoint was refused. */
  declare readonly collection: string;

  constructor(collection: string, options?: { cause?: unknown }) {
    super(`The server needs a full sync of collection "${collection}": its checkpoint expired`, options);
    this.collection = collection;
  }
}
