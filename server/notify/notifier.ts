import { createHash, randomUUID } from 'node:crypto';
import type { Database, Queryable } from '../db/database.js';
import { toInt } from '../db/database.js';
import type { PostgresDatabase } from '../db/postgres-database.js';
import type { LogEntry } from '../http/request-log.js';
import type { ChangeBus, ChangeEvent } from './change-bus.js';

/**
 * Carries committed changes and token revocations to the other server instances on the same
 * database. Each instance still publishes its own changes on its bus right after COMMIT; the
 * notifier adds a `pg_notify` to the writing transaction, which PostgreSQL delivers to every
 * listening instance on COMMIT (in commit order, and never for a rolled-back transaction).
 */
export interface Notifier {
  /** Inside the writing transaction, after its writes. */
  changed(tx: Queryable, events: readonly ChangeEvent[]): Promise<void>;
  /** After tokens of `userId` were revoked. */
  revoked(userId: string): Promise<void>;
  close(): Promise<void>;
}

/** One process (PGlite): nothing to relay. */
export const localNotifier: Notifier = {
  async changed() {},
  async revoked() {},
  async close() {},
};

/** NOTIFY payloads are limited to 8,000 bytes; changes are split below that. */
const MAX_PAYLOAD = 7000;

interface Payload {
  /** Sending instance: it already published its own changes. */
  i: string;
  /** Changes: `[collection, owner, seq]`. */
  c?: [string, string, number][];
  /** A user whose tokens were revoked. */
  r?: string;
}

/**
 * Starts relaying through LISTEN/NOTIFY on `db`'s schema: one dedicated listening connection per
 * instance (reconnected with backoff). After a reconnect, notifications sent meanwhile are lost, so
 * every live session is poked with the current positions of what its user can see (a poke is a hint:
 * the client pulls from its own checkpoint). Resolves once the listener is in place.
 */
export async function startPgNotifier(
  db: PostgresDatabase,
  bus: ChangeBus,
  options: { log: (entry: LogEntry) => void; liveUsers: () => string[] },
): Promise<Notifier> {
  const instance = randomUUID();
  const schema = (await db.query<{ s: string }>(`SELECT current_schema() AS s`)).rows[0]!.s;
  // Channel names are at most 63 bytes: a hash of the schema keeps any schema's channel short.
  const channel = `idb_sync_${createHash('sha256').update(schema).digest('hex').slice(0, 16)}`;
  const listener = await db.listen(channel, {
    onNotify(raw) {
      let payload: Payload;
      try {
        payload = JSON.parse(raw) as Payload;
      } catch {
        return;
      }
      if (payload.i === instance) return;
      for (const [collection, owner, seq] of payload.c ?? []) bus.publish({ collection, owner, seq });
      if (typeof payload.r === 'string') bus.publishRevocation(payload.r);
    },
    onReconnect() {
      options.log({ level: 'info', msg: 'change notifications: listening again', event: 'notify' });
      catchUp(db, bus, options.liveUsers()).catch((error: Error) =>
        options.log({
          level: 'warn',
          msg: `change notifications: catch-up failed: ${error.message}`,
          event: 'notify',
        }),
      );
    },
    onError(error) {
      options.log({ level: 'warn', msg: `change notifications: ${error.message}`, event: 'notify' });
    },
  });
  const send = (q: Queryable, payload: Payload) =>
    q.query(`SELECT pg_notify($1, $2)`, [channel, JSON.stringify(payload)]);
  return {
    async changed(tx, events) {
      let batch: [string, string, number][] = [];
      let size = 0;
      for (const e of events) {
        const entry: [string, string, number] = [e.collection, e.owner, e.seq];
        const bytes = Buffer.byteLength(JSON.stringify(entry)) + 1;
        if (size + bytes > MAX_PAYLOAD && batch.length > 0) {
          await send(tx, { i: instance, c: batch });
          batch = [];
          size = 0;
        }
        batch.push(entry);
        size += bytes;
      }
      if (batch.length > 0) await send(tx, { i: instance, c: batch });
    },
    async revoked(userId) {
      await send(db, { i: instance, r: userId });
    },
    close: () => listener.close(),
  };
}

/** Pokes live sessions with the current position of every collection their users can see. */
async function catchUp(db: Database, bus: ChangeBus, users: string[]): Promise<void> {
  const { rows } = await db.query<{ collection: string; owner: string; seq: unknown }>(
    `SELECT collection, owner, seq FROM collection_seq WHERE owner = '' OR owner = ANY ($1::text[])`,
    [users],
  );
  for (const row of rows) bus.publish({ collection: row.collection, owner: row.owner, seq: toInt(row.seq) });
}
