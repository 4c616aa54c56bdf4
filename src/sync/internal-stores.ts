import type { DBSchema, StoreKey, StoreNames, StoreValue } from 'idb';
import type { RecordValue } from '../protocol/messages.js';
import type { SyncedKey } from './record-key.js';

// Names of the sync runner's own object stores. Like every system store they start with `_`, so they
// never clash with an app store; the upversion controller creates them in every database.

/** Local writes not yet acknowledged by the server, by increasing mutation id. */
export const OUTBOX_STORE = '_outbox';
/** Index of {@link OUTBOX_STORE} on `[store, id]`: the pending writes of one record. */
export const OUTBOX_BY_RECORD = 'by-record';
/** Sync state of each collection: checkpoint token, snapshot cursor, schema version, forced resets. */
export const CHECKPOINT_STORE = '_checkpoints';
/** Durable log of resolved push conflicts. */
export const CONFLICT_STORE = '_conflicts';
/** Small key/value records of the runner: the client id, the outbox send marker, the fallback lock. */
export const SYNC_STATE_STORE = '_sync';

/**
 * One pending local write. Mutation ids come from the store's key generator, so they increase and are
 * never reused for the database's lifetime (a new database gets a new client id as well).
 */
export interface OutboxEntry {
  /** Set by the key generator when the entry is added. */
  readonly mutationId: number;
  readonly store: string;
  /** The record's local key (a number in a `keyType: 'number'` store); pushed as its wire id. */
  readonly id: SyncedKey;
  readonly op: 'put' | 'delete';
  /** The whole new value for a `put` (without the revision field). */
  readonly value?: RecordValue;
  /**
   * Server revision the write is based on (`null`: a create). Meaningless while `dependsOn` is set:
   * the previous write of the record was sent and its new revision is not known yet.
   */
  readonly baseRev: string | null;
  /** The value at `baseRev` (`null`: none), kept for three-way merges and for rollbacks. */
  readonly base: RecordValue | null;
  /** Mutation id of an earlier write of the same record that was already sent when this one was made. */
  readonly dependsOn?: number;
  /**
   * The record was not stored here when the write was made because a red sync had cleared the store
   * and not refetched it yet: the server may hold it at a revision this client does not know. Not
   * pushed until the pull that reaches the record sets `baseRev`/`base` (or finds that the server has
   * no such record: a delete is then dropped, a put becomes a create).
   */
  readonly awaitsRev?: true;
  /** When the write was made (epoch ms). */
  readonly createdAt: number;
}

/** An outbox entry as written, before the key generator assigns its mutation id. */
export type NewOutboxEntry = Omit<OutboxEntry, 'mutationId'>;

/** Saved sync state of one collection, written in the same transaction as the data it describes. */
export interface CheckpointRecord {
  readonly collection: string;
  /** `snapshot`: a full or red sync is under way (or about to start); `changes`: change-log mode. */
  readonly phase: 'snapshot' | 'changes';
  /** Which kind of snapshot: a red sync clears the store with its first page, a full sync replaces ranges. */
  readonly snapshotMode?: 'red' | 'full';
  /** The server's token to pull with next; `null` when a snapshot has not fetched its first page. */
  readonly token: string | null;
  /** Snapshot phase: last id (`range.until`) covered by the written pages; `null` before the first page. */
  readonly cursor: string | null;
  /** Snapshot phase: records written so far, and the server's total when it gave one. */
  readonly done: number;
  readonly total?: number;
  /** Database version the data was (or is being) fully synced under. */
  readonly schemaVersion: number;
  /** Tokens this collection moved past (newest last), to refuse a replayed stale page. */
  readonly recentTokens?: readonly string[];
  /** A red or full sync asked for and not started yet (kept across reloads while it waits). */
  readonly forced?: 'red' | 'full';
  /** `LOOKUP_TOKENS_VERSION` the data was (or is being) fully synced under; absent before 0.2.0. */
  readonly derivedWith?: number;
  /**
   * A snapshot that also rewrites records already at the pulled revision, through `fromServer`: their
   * derived fields were made by an older `lookupTokens`.
   */
  readonly rederive?: true;
  /** Epoch ms of the last write of this record. */
  readonly updatedAt: number;
}

/**
 * One resolved conflict of one store, as kept in the conflict log. `N`, `K` and `V` are the store's
 * name, key and record types ({@link ConflictLogEntry} fills them in from a schema).
 */
export interface StoreConflictLogEntry<N extends string = string, K = SyncedKey, V = RecordValue> {
  /** Set by the key generator: increases with each logged conflict. */
  readonly seq: number;
  /** The store of the record. */
  readonly store: N;
  /** The record's key. */
  readonly id: K;
  /** The mutation whose push met the conflict. */
  readonly mutationId: number;
  /** The newest local value the client tried to push (`null`: deleted locally). */
  readonly local: V | null;
  /** The server's value (`null`: deleted there). */
  readonly remote: V | null;
  /** The value both sides started from (`null`: created locally). */
  readonly base: V | null;
  /** The value kept (`null`: deleted). */
  readonly result: V | null;
  /**
   * The rule that decided: `server-wins`, `merge:tie-client`, `custom:<name>`, …, or `unique-index`:
   * the pulled record `id` (`remote`) takes a unique value that `heldBy`'s unpushed local write
   * (`local`) holds. The local write wins and is pushed; the pulled record is in the skipped-records
   * log (`result` null).
   */
  readonly rule: string;
  /** Whose value was kept. */
  readonly winner: 'server' | 'client' | 'merged' | 'custom';
  /** With `merge`: the fields both sides changed to different values; `unique-index`: the index's key path. */
  readonly conflictingFields?: readonly string[];
  /** `unique-index`: the key of the record whose unpushed write holds the value. */
  readonly heldBy?: K;
  /** The revision the local write was based on (`null`: created locally). */
  readonly baseRev: string | null;
  /** The server's revision met by the push (`null`: the record is gone there). */
  readonly remoteRev: string | null;
  /** Epoch ms of the resolution. */
  readonly at: number;
}

/**
 * A conflict log entry, typed per store from the schema `S` (`store` narrows `id` and the values);
 * untyped without a schema.
 */
export type ConflictLogEntry<S = unknown> = unknown extends S
  ? StoreConflictLogEntry<string, SyncedKey, unknown>
  : S extends DBSchema
    ? {
        [N in StoreNames<S> & string]: StoreConflictLogEntry<N, StoreKey<S, N>, StoreValue<S, N>>;
      }[StoreNames<S> & string]
    : StoreConflictLogEntry<string, SyncedKey, unknown>;

/** Keys of the records of {@link SYNC_STATE_STORE}. */
export const SYNC_STATE_KEYS = {
  /** `{ key, clientId }`: this database's client id, created with the database's first sync. */
  client: 'client',
  /** `{ key, sentUpTo }`: highest mutation id ever handed to the transport. */
  outbox: 'outbox',
  /** `{ key, owner, expiresAt }`: the sync lock when Web Locks are unavailable. */
  lock: 'lock',
  /** `{ key, value, at }`: the server's capabilities as a run last fetched them. */
  capabilities: 'capabilities',
} as const;
