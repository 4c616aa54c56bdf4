import { REJECT_CODES, type RecordValue } from '../../src/protocol/messages.js';
import { hashToken, newToken } from '../auth/tokens.js';
import type { Database } from '../db/database.js';
import { type ImportProgress, type ImportResult, importRecords } from '../import/import-records.js';
import type { ChangeBus } from '../notify/change-bus.js';
import { compactTombstones } from '../sync/housekeeping.js';
import { ProtocolError } from '../sync/protocol-error.js';
import { lockSequence, type StoredRecord } from '../sync/records.js';
import type { Runtime } from '../sync/runtime.js';
import { checkId, checkValue } from '../sync/storable.js';
import { createUser } from './users.js';

/**
 * Server-side operations for tests, the demo and operators: users and tokens, edits and deletes
 * made on the server (they reach clients through pull and pokes like any other change), and
 * tombstone compaction. Also exposed over HTTP under `/admin` when an admin token is configured.
 */
export interface AdminApi {
  /** Creates a user (idempotent on `userId`) and a token for it (`options.token`, else a random one). */
  createUser(
    userId: string,
    options?: { name?: string; token?: string },
  ): Promise<{ userId: string; token: string }>;
  /** Issues one more token for an existing user. */
  createToken(userId: string): Promise<string>;
  /**
   * Revokes every token of the user; returns how many. Open SSE streams and WebSocket sessions of
   * the user re-check their token at once, on every instance, and end when it is gone.
   */
  revokeTokens(userId: string): Promise<number>;
  /** Revokes one token (of the default token table); returns whether it existed. Its sessions end as above. */
  revokeToken(token: string): Promise<boolean>;
  /**
   * Writes a record as the server (`owner`: the user id for user-scoped collections, omitted for
   * shared ones); returns its new rev.
   */
  putRecord(collection: string, id: string, value: RecordValue, owner?: string): Promise<string>;
  /** Deletes a record as the server, leaving a tombstone so clients delete it too; returns the tombstone's rev. */
  deleteRecord(collection: string, id: string, owner?: string): Promise<string>;
  /** Reads a record (alive or tombstone), or null. */
  getRecord(collection: string, id: string, owner?: string): Promise<StoredRecord | null>;
  /** Alive records of a collection and owner. */
  countRecords(collection: string, owner?: string): Promise<number>;
  /**
   * Writes many records at once, as the server (reference data: a catalog, a list of cities): each
   * record is a put at its own change-log position, so clients pull them incrementally; a record with
   * an existing id is overwritten. `records` may be any (async) iterable, e.g. `parseRecords(stream)`;
   * batches of `batchSize` (default 5,000) commit one transaction each and are announced to listeners.
   * Each record's id is its field `key` (default: the collection's `key`, else `'id'`).
   */
  importRecords(
    collection: string,
    records: AsyncIterable<Record<string, unknown>> | Iterable<Record<string, unknown>>,
    options?: {
      owner?: string;
      key?: string;
      batchSize?: number;
      onProgress?: (progress: ImportProgress) => void;
    },
  ): Promise<ImportResult>;
  /**
   * Removes tombstones older than `olderThanMs` (default: the configured retention) and moves each
   * affected collection's horizon up, so checkpoints from before it answer `RESET_REQUIRED`.
   * Returns how many tombstones were removed.
   */
  compactTombstones(options?: { olderThanMs?: number }): Promise<number>;
}

export function createAdminApi(runtime: Runtime, db: Database, bus: ChangeBus): AdminApi {
  const ownerOf = (collection: string, owner: string | undefined) => {
    const config = runtime.collection(collection);
    if (config.scope === 'shared') return '';
    if (owner === undefined || owner === '') {
      throw new ProtocolError('INVALID_REQUEST', `Collection ${collection} is per user: pass the owner`, {
        issues: [{ path: 'owner', message: 'required for a per-user collection' }],
      });
    }
    const problem = checkId(owner, 'The owner');
    if (problem !== undefined) throw new ProtocolError('INVALID_REQUEST', problem.message);
    return owner;
  };
  const write = async (
    collection: string,
    id: string,
    value: RecordValue | null,
    owner: string | undefined,
  ) => {
    await runtime.requireServableSchema();
    const key = ownerOf(collection, owner);
    const idProblem = checkId(id);
    if (idProblem !== undefined) throw new ProtocolError('INVALID_REQUEST', idProblem.message);
    // The same limits as a push, checked before anything is written.
    const checked = value === null ? undefined : checkValue(value, runtime.options);
    if (checked !== undefined && !checked.ok) {
      throw new ProtocolError(
        checked.code === REJECT_CODES.valueTooLarge ? 'PAYLOAD_TOO_LARGE' : 'INVALID_REQUEST',
        checked.message,
        { code: checked.code },
      );
    }
    const store = runtime.store(runtime.collection(collection));
    const seq = await db.transaction(async (tx) => {
      if (store.lockOrder === 'sequence-first') await lockSequence(tx, collection, key);
      const outcome = await store.write(
        tx,
        { collection, owner: key },
        {
          id,
          value,
          ...(checked === undefined ? {} : { json: checked.json, bytes: checked.bytes }),
          writtenBy: null,
        },
      );
      if ('refused' in outcome) {
        throw new ProtocolError('INVALID_REQUEST', outcome.refused.message, { code: outcome.refused.code });
      }
      await runtime.notifier.changed(tx, [{ collection, owner: key, seq: outcome.rev }]);
      return outcome.rev;
    });
    bus.publish({ collection, owner: key, seq });
    return String(seq);
  };
  return {
    async createUser(userId, options = {}) {
      await runtime.requireServableSchema();
      return createUser(db, userId, options);
    },
    async createToken(userId) {
      const token = newToken();
      await db.query(`INSERT INTO tokens (token_hash, user_id) VALUES ($1, $2)`, [hashToken(token), userId]);
      return token;
    },
    async revokeTokens(userId) {
      const { rowCount } = await db.query(`DELETE FROM tokens WHERE user_id = $1`, [userId]);
      bus.publishRevocation(userId);
      await runtime.notifier.revoked(userId);
      return rowCount;
    },
    async revokeToken(token) {
      const { rows } = await db.query<{ user_id: string }>(
        `DELETE FROM tokens WHERE token_hash = $1 RETURNING user_id`,
        [hashToken(token)],
      );
      for (const row of rows) {
        bus.publishRevocation(row.user_id);
        await runtime.notifier.revoked(row.user_id);
      }
      return rows.length > 0;
    },
    putRecord: (collection, id, value, owner) => write(collection, id, value, owner),
    deleteRecord: (collection, id, owner) => write(collection, id, null, owner),
    async importRecords(collection, records, options = {}) {
      await runtime.requireServableSchema();
      const config = runtime.collection(collection);
      if (config.store !== undefined) {
        throw new ProtocolError(
          'INVALID_REQUEST',
          `Collection ${collection} lives in the application's table: load it with SQL (COPY); its trigger logs every row`,
        );
      }
      return importRecords(db, records, {
        collection,
        owner: ownerOf(collection, options.owner),
        key: options.key ?? config.key ?? 'id',
        limits: runtime.options,
        ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
        ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
        onCommit: (event) => {
          bus.publish(event);
          // Other instances on the same database (committed already: a NOTIFY of its own).
          runtime.notifier
            .changed(db, [event])
            .catch((error: Error) =>
              runtime.log({ level: 'warn', msg: `import notify failed: ${error.message}`, event: 'notify' }),
            );
        },
      });
    },
    async getRecord(collection, id, owner) {
      const store = runtime.store(runtime.collection(collection));
      const scope = { collection, owner: ownerOf(collection, owner) };
      return db.transaction((tx) => store.read(tx, scope, id));
    },
    async countRecords(collection, owner) {
      const store = runtime.store(runtime.collection(collection));
      return store.count(db, { collection, owner: ownerOf(collection, owner) }, undefined);
    },
    async compactTombstones(options = {}) {
      await runtime.requireServableSchema();
      return compactTombstones(db, options.olderThanMs ?? runtime.options.tombstoneRetentionMs);
    },
  };
}
