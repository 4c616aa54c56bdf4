import { IdbSyncError } from './idb-sync-error.js';

/** Which record transform of a collection failed. */
export type RecordTransform = 'fromServer' | 'toServer';

/**
 * A collection's `fromServer` or `toServer` transform threw (or returned something that is not a
 * record). The original error is the `cause`. A failing `fromServer` fails the pulled page: nothing
 * of it (nor its checkpoint) is written, and the page is pulled again by the next run. A failing
 * `fromServer` on a conflict's server value leaves the conflicting write in the outbox; a failing
 * `toServer` fails the push before anything is sent. Not retried on a timer (`retryable: false`):
 * the same record would fail again until the app is fixed.
 */
export class RecordTransformError extends IdbSyncError {
  override readonly name = 'RecordTransformError' as const;
  readonly code = 'RECORD_TRANSFORM_FAILED' as const;
  /** A transform bug does not go away by retrying the same record. */
  readonly retryable = false as const;

  /** The transform that failed. */
  declare readonly transform: RecordTransform;
  /** The collection whose transform it is. */
  declare readonly store: string;
  /** The id of the record it failed on. */
  declare readonly id: string;

  constructor(transform: RecordTransform, store: string, id: string, cause: unknown) {
    super(`The ${transform} transform of collection "${store}" failed on record "${id}"`, { cause });
    this.transform = transform;
    this.store = store;
    this.id = id;
  }
}
