import { IdbSyncError } from './idb-sync-error.js';

/**
 * A synced record's key does not have the store's declared key type (`keyType`, default
 * `'string'`): a local write whose key field holds another type (or an empty string, or a number
 * that is not finite), or a record id from the server that does not decode to that type. Thrown
 * before anything of the write (or of the page) is written. The message names the types, never the
 * key itself.
 */
export class InvalidKeyError extends IdbSyncError {
  override readonly name = 'InvalidKeyError' as const;
  readonly code = 'INVALID_KEY' as const;

  /** The store concerned. */
  declare readonly store: string;
  /** The store's declared key type. */
  declare readonly keyType: 'string' | 'number';
  /** What was found instead, e.g. `a string`, `an empty string`, `a Date`, `a wire id that is not a number`. */
  declare readonly found: string;
  /** Where: a local write (`write`) or a record from the server (`pull`). */
  declare readonly source: 'write' | 'pull';

  constructor(store: string, keyType: 'string' | 'number', found: string, source: 'write' | 'pull') {
    super(
      source === 'write'
        ? `A write to "${store}" has ${found} as its key, where the store's keys are ${keyType === 'number' ? 'finite numbers' : 'non-empty strings'} (keyType '${keyType}')`
        : `The server sent a record of "${store}" whose id is ${found}, where the store's keys are ${keyType === 'number' ? 'numbers' : 'strings'} (keyType '${keyType}')`,
    );
    this.store = store;
    this.keyType = keyType;
    this.found = found;
    this.source = source;
  }
}
