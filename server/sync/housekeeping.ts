import type { Database } from '../db/database.js';
import { toInt } from '../db/database.js';
import { lockSequence } from './records.js';
import type { Runtime } from './runtime.js';

/** Tombstones removed per transaction: bounds how long compaction holds a user's sequence lock. */
export const COMPACTION_BATCH = 1000;

/**
 * Removes tombstones older than `olderThanMs`, **one collection and owner at a time, in batches of
 * {@link COMPACTION_BATCH}**, each batch in its own transaction that first locks the owner's
 * `collection_seq` row — the lock every writer takes first, before the records — so compaction and
 * pushes take their locks in the same order and cannot deadlock, and no transaction spans tenants.
 * The horizon moves up in the same transaction as the deletion (a pull reads the horizon after its
 * page, so it sees both or neither). Returns how many tombstones were removed.
 */
export async function compactTombstones(db: Database, olderThanMs: number): Promise<number> {
  const { rows: owners } = await db.query<{ collection: string; owner: string }>(
    `SELECT DISTINCT collection, owner FROM records
      WHERE deleted AND updated_at < now() - make_interval(secs => $1::double precision / 1000)`,
    [olderThanMs],
  );
  let removed = 0;
  for (const { collection, owner } of owners) {
    for (;;) {
      const n = await db.transaction(async (tx) => {
        await lockSequence(tx, collection, owner);
        const { rows } = await tx.query<{ horizon: unknown; n: unknown }>(
          `WITH gone AS (
             DELETE FROM records WHERE collection = $1 AND owner = $2 AND id IN (
               SELECT id FROM records
                WHERE collection = $1 AND owner = $2 AND deleted
                  AND updated_at < now() - make_interval(secs => $3::double precision / 1000)
                ORDER BY rev LIMIT $4)
             RETURNING rev)
           SELECT max(rev) AS horizon, count(*) AS n FROM gone`,
          [collection, owner, olderThanMs, COMPACTION_BATCH],
        );
        const count = toInt(rows[0]!.n);
        if (count > 0) {
          await tx.query(
            `UPDATE collection_seq SET horizon = GREATEST(horizon, $3) WHERE collection = $1 AND owner = $2`,
            [collection, owner, toInt(rows[0]!.horizon)],
          );
        }
        return count;
      });
      removed += n;
      if (n < COMPACTION_BATCH) break;
    }
  }
  return removed;
}

/** What one housekeeping tick did. */
export interface HousekeepingRun {
  /** False when another instance holds the housekeeping lock, or ran it less than an interval ago. */
  ran: boolean;
  /** Tombstones removed. */
  removed: number;
}

/**
 * One housekeeping tick of one instance. Every instance ticks; the one that takes the session
 * advisory lock (per database schema) and finds the last run (`meta.housekeeping_at`) at least
 * `compactionIntervalMs` ago does the work, so it runs once per interval across all instances.
 */
export async function runHousekeeping(runtime: Runtime, db: Database): Promise<HousekeepingRun> {
  await runtime.requireServableSchema();
  return db.connection(async (conn) => {
    const { rows } = await conn.query<{ ok: boolean }>(
      `SELECT pg_try_advisory_lock(hashtext('idb-sync-housekeeping:' || current_schema())) AS ok`,
    );
    if (!rows[0]?.ok) return { ran: false, removed: 0 };
    try {
      const due = await conn.query<{ due: boolean }>(
        `SELECT coalesce((SELECT value::timestamptz FROM meta WHERE key = 'housekeeping_at')
                  <= now() - make_interval(secs => $1::double precision / 1000), true) AS due`,
        [runtime.options.compactionIntervalMs],
      );
      if (!due.rows[0]?.due) return { ran: false, removed: 0 };
      await conn.query(
        `INSERT INTO meta (key, value) VALUES ('housekeeping_at', now()::text)
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      );
      const removed = await compactTombstones(db, runtime.options.tombstoneRetentionMs);
      return { ran: true, removed };
    } finally {
      await conn.query(`SELECT pg_advisory_unlock(hashtext('idb-sync-housekeeping:' || current_schema()))`);
    }
  });
}
