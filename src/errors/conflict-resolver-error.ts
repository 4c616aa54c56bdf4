import { IdbSyncError } from './idb-sync-error.js';

/**
 * A custom conflict resolver threw (or returned something that is not a record or `null`). The
 * original error is the `cause`; the conflicting push stays in the outbox and is resolved again on
 * the next run.
 */
export class ConflictResolverError extends IdbSyncError {
  override readonly name = 'ConflictResolverError' as const;
  readonly code = 'CONFLICT_RESOLVER_FAILED' as const;

  /** The resolver's name (its `name` option, else the function's name, else `anonymous`). */
  declare readonly resolver: string;
  /** The collection whose conflict it was resolving. */
  declare readonly store: string;

  constructor(resolver: string, store: string, cause: unknown) {
    super(`Conflict resolver "${resolver}" of collection "${store}" failed`, { cause });
    this.resolver = resolver;
    this.store = store;
  }
}
