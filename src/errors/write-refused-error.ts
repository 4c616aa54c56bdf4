import { IdbSyncError } from './idb-sync-error.js';

/** Why a write was refused. */
export type WriteRefusedReason =
  /** The operation cannot be recorded for the server (`clear()`, a cursor write, an out-of-line key). */
  | 'untrackable'
  /** A write to a `lookup` store (server-owned data) without `{ localOnly: true }`. */
  | 'lookup-store'
  /** `{ localOnly: true }` on a `transactional` store, whose writes are always synced. */
  | 'local-only-synced'
  /** A write to one of the SDK's own `_` stores (`_outbox`, `_meta`, …), which only the SDK writes. */
  | 'internal-store';

/**
 * A write to a synced store was refused before anything was written, because it would not reach
 * the server: an operation the outbox cannot record on a `transactional` store (`clear()`, a cursor
 * `update`/`delete`, a put with an out-of-line key), or a write to a `lookup` store without
 * `{ localOnly: true }`, or a write to one of the SDK's internal `_` stores. `use` names the call to
 * make instead.
 */
export class WriteRefusedError extends IdbSyncError {
  override readonly name = 'WriteRefusedError' as const;
  readonly code = 'WRITE_REFUSED' as const;

  /** The store written. */
  declare readonly store: string;
  /** The refused operation, e.g. `clear()` or `cursor.update()`. */
  declare readonly operation: string;
  /** Why: an operation the outbox cannot track, a lookup store, or `localOnly` on a synced store. */
  declare readonly reason: WriteRefusedReason;
  /** The call to make instead. */
  declare readonly use: string;

  constructor(store: string, operation: string, reason: WriteRefusedReason, use: string) {
    super(`${operation} on ${refusal(reason, store)}. Use ${use}.`);
    this.store = store;
    this.operation = operation;
    this.reason = reason;
    this.use = use;
  }
}

function refusal(reason: WriteRefusedReason, store: string): string {
  switch (reason) {
    case 'untrackable':
      return `synced store "${store}" was refused: it cannot be recorded for the server`;
    case 'lookup-store':
      return `lookup store "${store}" was refused: its data belongs to the server, and a pull may overwrite a local change`;
    case 'local-only-synced':
      return `transactional store "${store}" was refused with localOnly: its writes are always synced`;
    case 'internal-store':
      return `internal store "${store}" was refused`;
  }
}
