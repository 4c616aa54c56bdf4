// An application's own table as a collection (appTable): rows written by plain SQL reach clients
// incrementally, snapshots page over the table, pushes land in its columns exactly once, deletes
// leave tombstones that compaction removes. On PGlite, and on PostgreSQL with DATABASE_URL (where
// the outside writer is a separate connection whose search path does not even name the sync tables).
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { type PullResponse, type WsServerMessage, wsServerMessageSchema } from '../../src/protocol/index.js';
import { PROTOCOL_PATHS } from '../../src/protocol/version.js';
import { applyPages, RawProtocolClient } from '../../test/server/raw-protocol-client.js';
import { dropSchema, startTestServer, type TestServer } from '../../test/server/test-server.js';
import type { Database } from '../db/database.js';
import { serverSchemaClone } from '../db/pglite-database.js';
import { openPostgresDatabase } from '../db/postgres-database.js';
import { installSchema } from '../schema/schema-manager.js';
import { appTable } from './app-table-store.js';

const schemaSql = readFileSync(new URL('../../examples/app-table/schema.sql', import.meta.url), 'utf8');
const databaseUrl = process.env.DATABASE_URL || undefined;
const pgSchema = `app_${randomBytes(6).toString('hex')}`;

let db: Database;
/** Plain SQL from outside the sync server: another connection on PostgreSQL, the database itself on PGlite. */
let outside: { query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }> };
let outsideClient: pg.Client | undefined;
let server: TestServer;
let alice: RawProtocolClient;
let bob: RawProtocolClient;
const table = databaseUrl ? `${pgSchema}.work_orders` : 'work_orders';

const ids = Array.from({ length: 25 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);

beforeAll(async () => {
  db = databaseUrl
    ? await openPostgresDatabase({ connectionString: databaseUrl, schema: pgSchema })
    : await serverSchemaClone();
  if (databaseUrl) await installSchema(db);
  await db.exec(schemaSql);
  // Rows the back office had before the sync server came: the install gives them their positions.
  for (const [i, id] of ids.entries()) {
    await db.query(
      `INSERT INTO work_orders (id, technician_id, title, priority, due_date, internal_notes) VALUES ($1, $2, $3, $4, $5, 'secret')`,
      [id, i < 20 ? 'alice' : 'bob', `Order ${i}`, (i % 5) + 1, '2026-03-01'],
    );
  }
  server = await startTestServer({
    database: db,
    collections: [
      {
        name: 'work_orders',
        scope: 'user',
        store: appTable({
          table: 'work_orders',
          key: 'id',
          owner: 'technician_id',
          columns: { title: 'title', status: 'status', priority: 'priority', dueDate: 'due_date' },
        }),
      },
    ],
  });
  alice = new RawProtocolClient(server.url, (await server.admin.createUser('alice')).token);
  bob = new RawProtocolClient(server.url, (await server.admin.createUser('bob')).token);
  if (databaseUrl) {
    // Another service: its own connection, search path `public` (the sync tables are elsewhere).
    outsideClient = new pg.Client({ connectionString: databaseUrl });
    await outsideClient.connect();
    outside = outsideClient;
  } else {
    outside = db;
  }
}, 120_000);

afterAll(async () => {
  await server?.close();
  await outsideClient?.end();
  await db?.close();
  if (databaseUrl) await dropSchema(databaseUrl, pgSchema);
});

const changesOf = (pages: PullResponse[]) => pages.flatMap((p) => p.changes);

describe('a collection in the application’s own table', () => {
  let checkpoint: string;

  it('serves the rows that were there before as a snapshot paged by id, with the mapped columns only', async () => {
    const { pages, checkpoint: next } = await alice.pullAll('work_orders', { windowSize: 8 });
    checkpoint = next;
    expect(pages.map((p) => [p.mode, p.changes.length, p.range?.until ?? null])).toEqual([
      ['snapshot', 8, ids[7]],
      ['snapshot', 8, ids[15]],
      ['snapshot', 4, null],
    ]);
    expect(pages[0]!.total).toBe(20);
    expect(changesOf(pages)[3]).toEqual({
      id: ids[3],
      rev: expect.any(String),
      op: 'put',
      value: { title: 'Order 3', status: 'open', priority: 4, dueDate: '2026-03-01' },
    });
    // Bob sees his five, not alice's.
    expect(changesOf((await bob.pullAll('work_orders')).pages).map((c) => c.id)).toEqual(ids.slice(20));
  });

  it('delivers inserts, updates and deletes made by plain SQL incrementally, and skips updates that change nothing', async () => {
    const created = randomUUID();
    await outside.query(
      `INSERT INTO ${table} (id, technician_id, title) VALUES ($1, 'alice', 'Made in psql')`,
      [created],
    );
    await outside.query(`UPDATE ${table} SET status = 'done' WHERE id = $1`, [ids[1]]);
    await outside.query(`UPDATE ${table} SET internal_notes = internal_notes WHERE id = $1`, [ids[2]]);
    await outside.query(`DELETE FROM ${table} WHERE id = $1`, [ids[0]]);
    const { pages, checkpoint: next } = await alice.pullAll('work_orders', { checkpoint, windowSize: 2 });
    checkpoint = next;
    expect(pages.every((p) => p.mode === 'changes')).toBe(true);
    expect(changesOf(pages).map((c) => [c.id, c.op])).toEqual([
      [created, 'put'],
      [ids[1], 'put'],
      [ids[0], 'delete'],
    ]);
    expect(changesOf(pages)[1]).toMatchObject({ value: { status: 'done', title: 'Order 1' } });
  });

  it('applies pushes to the table’s columns exactly once, keeping the columns it does not sync', async () => {
    const fresh = randomUUID();
    const push = {
      clientId: 'phone-1',
      mutations: [
        {
          mutationId: 1,
          collection: 'work_orders',
          id: fresh,
          op: 'put' as const,
          baseRev: null,
          value: { id: fresh, title: 'From the phone', status: 'open', priority: 2, dueDate: '2026-04-02' },
        },
        {
          mutationId: 2,
          collection: 'work_orders',
          id: ids[3]!,
          op: 'put' as const,
          baseRev: null,
          value: { title: 'Blind create over an existing row' },
        },
      ],
    };
    const first = await alice.push(push);
    const retry = await alice.push(push); // the answer was lost: the same push again
    expect(first.body.results).toMatchObject([{ status: 'applied' }, { status: 'conflict' }]);
    expect(retry.body.results).toEqual(first.body.results);
    const { rows } = await outside.query(`SELECT * FROM ${table} WHERE id = $1`, [fresh]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ technician_id: 'alice', title: 'From the phone', priority: 2 });

    const current = changesOf((await alice.pullAll('work_orders', { checkpoint })).pages);
    const rev3 = (await alice.pullAll('work_orders')).pages
      .flatMap((p) => p.changes)
      .find((c) => c.id === ids[3])!.rev;
    expect(current.map((c) => c.id)).toEqual([fresh]);
    const edit = await alice.push({
      clientId: 'phone-1',
      mutations: [
        {
          mutationId: 3,
          collection: 'work_orders',
          id: ids[3]!,
          op: 'put',
          baseRev: rev3,
          value: { title: 'Order 3', status: 'cancelled', priority: 4, dueDate: '2026-03-01' },
        },
      ],
    });
    expect(edit.body.results).toMatchObject([{ status: 'applied' }]);
    const { rows: edited } = await outside.query(
      `SELECT status, internal_notes FROM ${table} WHERE id = $1`,
      [ids[3]],
    );
    expect(edited[0]).toEqual({ status: 'cancelled', internal_notes: 'secret' });
  });

  it('answers a push the table refuses per mutation, and never lets a user touch another user’s row', async () => {
    const answer = await alice.push({
      clientId: 'phone-1',
      mutations: [
        {
          mutationId: 4,
          collection: 'work_orders',
          id: randomUUID(),
          op: 'put',
          baseRev: null,
          value: { colour: 'red', title: 'x' },
        },
        {
          mutationId: 5,
          collection: 'work_orders',
          id: randomUUID(),
          op: 'put',
          baseRev: null,
          value: { status: 'open' },
        },
        {
          mutationId: 6,
          collection: 'work_orders',
          id: ids[21]!,
          op: 'put',
          baseRev: null,
          value: { title: 'Mine now' },
        },
        {
          mutationId: 7,
          collection: 'work_orders',
          id: 'not-a-uuid',
          op: 'put',
          baseRev: null,
          value: { title: 'x' },
        },
      ],
    });
    expect(answer.status).toBe(200);
    expect(answer.body.results).toMatchObject([
      { status: 'rejected', reason: 'invalid', code: 'UNKNOWN_FIELD' },
      { status: 'rejected', reason: 'invalid' }, // title NOT NULL
      { status: 'rejected', reason: 'forbidden', code: 'ID_TAKEN' },
      { status: 'rejected', reason: 'invalid', code: 'INVALID_ID' },
    ]);
    const { rows } = await outside.query(`SELECT technician_id, title FROM ${table} WHERE id = $1`, [
      ids[21],
    ]);
    expect(rows[0]).toEqual({ technician_id: 'bob', title: 'Order 21' });
  });

  it('moves a row between users when SQL changes its owner: a delete for one, a put for the other', async () => {
    const bobBefore = (await bob.pullAll('work_orders')).checkpoint;
    const aliceBefore = (await alice.pullAll('work_orders', { checkpoint })).checkpoint;
    await outside.query(`UPDATE ${table} SET technician_id = 'bob' WHERE id = $1`, [ids[5]]);
    expect(changesOf((await alice.pullAll('work_orders', { checkpoint: aliceBefore })).pages)).toMatchObject([
      { id: ids[5], op: 'delete' },
    ]);
    expect(changesOf((await bob.pullAll('work_orders', { checkpoint: bobBefore })).pages)).toMatchObject([
      { id: ids[5], op: 'put', value: { title: 'Order 5' } },
    ]);
  });

  it('deletes by push and by TRUNCATE leave tombstones; compaction makes older checkpoints reset', async () => {
    const before = (await bob.pullAll('work_orders')).checkpoint;
    const state = applyPages((await bob.pullAll('work_orders')).pages);
    const [victim] = [...state.keys()];
    const rev = changesOf((await bob.pullAll('work_orders')).pages).find((c) => c.id === victim)!.rev;
    const deleted = await bob.push({
      clientId: 'bob-phone',
      mutations: [{ mutationId: 1, collection: 'work_orders', id: victim!, op: 'delete', baseRev: rev }],
    });
    expect(deleted.body.results).toMatchObject([{ status: 'applied' }]);
    expect((await outside.query(`SELECT 1 FROM ${table} WHERE id = $1`, [victim])).rows).toHaveLength(0);

    await outside.query(`TRUNCATE ${table}`);
    const after = changesOf((await bob.pullAll('work_orders', { checkpoint: before })).pages);
    expect(after.every((c) => c.op === 'delete')).toBe(true);
    expect(after.map((c) => c.id).sort()).toEqual([...state.keys()].sort());

    expect(await server.admin.compactTombstones({ olderThanMs: 0 })).toBeGreaterThan(0);
    expect((await bob.pull({ collection: 'work_orders', checkpoint: before, windowSize: 10 })).status).toBe(
      410,
    );
    const resynced = await bob.pullAll('work_orders');
    expect(changesOf(resynced.pages)).toEqual([]);
  });
});

describe.runIf(databaseUrl)('an application table under concurrent writers (PostgreSQL)', () => {
  it('never lets a reader see a later change while an earlier one of the same owner is in flight', async () => {
    const start = (await alice.pullAll('work_orders')).checkpoint;
    const first = new pg.Client({ connectionString: databaseUrl });
    const second = new pg.Client({ connectionString: databaseUrl });
    await first.connect();
    await second.connect();
    try {
      const [x, y] = [randomUUID(), randomUUID()];
      await first.query('BEGIN');
      await first.query(`INSERT INTO ${table} (id, technician_id, title) VALUES ($1, 'alice', 'first')`, [x]);
      // Takes its position after `first`: it waits on the change-log lock the first one holds.
      const later = second.query(
        `INSERT INTO ${table} (id, technician_id, title) VALUES ($1, 'alice', 'second')`,
        [y],
      );
      await expect
        .poll(async () => {
          const { rows } = await outside.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%second%'`,
          );
          return rows[0]!.n;
        })
        .toBe(1);
      expect(changesOf((await alice.pullAll('work_orders', { checkpoint: start })).pages)).toEqual([]);
      await first.query('COMMIT');
      await later;
      const after = changesOf((await alice.pullAll('work_orders', { checkpoint: start })).pages);
      expect(after.map((c) => c.id)).toEqual([x, y]);
      expect(Number(after[1]!.rev)).toBe(Number(after[0]!.rev) + 1);
    } finally {
      await first.end();
      await second.end();
    }
  });
});

describe.runIf(databaseUrl)('an application table written by another service (PostgreSQL)', () => {
  it('pokes the live sessions of the row’s owner at COMMIT, once per transaction, with the position to pull to', async () => {
    const ws = new WebSocket(server.url.replace('http', 'ws') + PROTOCOL_PATHS.ws);
    const messages: WsServerMessage[] = [];
    ws.on('message', (data) => messages.push(wsServerMessageSchema.parse(JSON.parse(data.toString()))));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    try {
      ws.send(JSON.stringify({ type: 'hello', token: alice.token, schemaVersion: 1 }));
      await vi.waitFor(() => expect(messages[0]?.type).toBe('hello'));
      const pokes = () => messages.filter((m) => m.type === 'poke' && m.collection === 'work_orders');
      const before = pokes().length;
      // Another service adds three rows for alice in one transaction, by plain SQL.
      const added: string[] = [randomUUID(), randomUUID(), randomUUID()];
      await outside.query(
        `INSERT INTO ${table} (id, technician_id, title) SELECT id, 'alice', 'From the back office' FROM unnest($1::uuid[]) AS id`,
        [added],
      );
      await vi.waitFor(() => expect(pokes().length).toBe(before + 1), { timeout: 10_000 });
      const poke = pokes().at(-1) as { seq: number };
      const { pages } = await alice.pullAll('work_orders', { windowSize: 100 });
      const revs = changesOf(pages)
        .filter((c) => added.includes(c.id))
        .map((c) => Number(c.rev));
      expect(Math.max(...revs)).toBe(poke.seq);
      // One transaction, one poke: notifications arrive in commit order, so when the next
      // transaction's poke is here, any second poke of the first one would have come before it.
      await outside.query(`INSERT INTO ${table} (id, technician_id, title) VALUES ($1, 'alice', 'Next')`, [
        randomUUID(),
      ]);
      await vi.waitFor(() => expect(pokes().length).toBeGreaterThanOrEqual(before + 2), { timeout: 10_000 });
      expect(pokes().length).toBe(before + 2);
      expect((pokes().at(-1) as { seq: number }).seq).toBeGreaterThan(poke.seq);
    } finally {
      ws.close();
    }
  });
});
