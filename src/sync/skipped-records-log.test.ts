import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localState, type SyncFixture, serverState, startSyncFixture } from '../../test/sync/sync-fixture.js';
import { uniqueDbName } from '../../test/sync/test-database.js';
import type { VersionSpec } from '../upversion/schema-types.js';
import type { RunSummary } from './run-summary.js';
import type { SkippedRecord } from './skipped-log.js';
import type { CollectionOptions } from './sync-options.js';

// The skipped-records log through the client (docs/bad-records.md): the case (a lookup store
// with a unique `code`, server edits that move codes), listing and observing the log, and automatic
// retries after a schema upgrade.

let fx: SyncFixture;
beforeAll(async () => {
  fx = await startSyncFixture();
});
afterAll(() => fx?.close());

type Rec = Record<string, unknown>;
let users = 0;
async function newUser(): Promise<{ owner: string; token: string }> {
  users += 1;
  const owner = `sk${users}`;
  return { owner, token: await fx.user(owner) };
}

/** `parts` declares a unique index on `code`; `work_orders` is an ordinary transactional store. */
function versions(count: number): VersionSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    version: i + 1,
    stores: {
      parts: { keyPath: 'id', kind: 'lookup', indexes: { byCode: { keyPath: 'code', unique: true } } },
      work_orders: { keyPath: 'id', kind: 'transactional' },
    },
  }));
}
const stores = { parts: { kind: 'lookup' as const }, work_orders: { kind: 'transactional' as const } };
const byCollection = (summary: RunSummary) =>
  Object.fromEntries(summary.collections.map((c) => [c.collection, c]));
const brief = (list: SkippedRecord[]) => list.map((e) => [e.collection, e.id, e.reason, e.heldBy]);

describe('the skipped-records log', () => {
  it('keeps syncing when the server moves a unique code: a kept duplicate waits in the log, observed, until the server fixes it', async () => {
    const { owner, token } = await newUser();
    const p = `${owner}-`;
    await fx.server.admin.putRecord('parts', `${p}a`, { code: `${p}A` });
    await fx.server.admin.putRecord('parts', `${p}b`, { code: `${p}B` });
    await fx.server.admin.putRecord('parts', `${p}c`, { code: `${p}C` });
    await fx.seed('work_orders', 2, { owner, prefix: 'wo' });
    const app = fx.app(token, { stores, versions: versions(1) });
    const seen: SkippedRecord[][] = [];
    app.client.skippedRecords$.subscribe((list) => seen.push(list));
    expect((await app.client.sync()).outcome).toBe('ok');

    // Two ordinary server edits swap a and b's codes (the pull used to fail with CONSTRAINT_VIOLATION
    // on every run), and c takes a's old code while a work order changes.
    await fx.server.admin.putRecord('parts', `${p}a`, { code: `${p}B` });
    await fx.server.admin.putRecord('parts', `${p}b`, { code: `${p}A` });
    await fx.server.admin.putRecord('parts', `${p}c`, { code: `${p}B` }); // the server now holds B twice
    await fx.server.admin.putRecord('work_orders', 'wo001', { name: 'arrives' }, owner);
    const run = await app.client.sync();
    expect(run.outcome).toBe('ok');
    expect(byCollection(run)['parts']).toMatchObject({ outcome: 'ok', change: 2, skipped: 1 });
    expect(byCollection(run)['work_orders']).toMatchObject({ outcome: 'ok', change: 1 });
    expect(await localState(app.db, 'work_orders')).toEqual(
      await serverState(fx.server, 'work_orders', owner),
    );
    // B is stored once (c, the newer change, keeps it); a waits in the log; b has A.
    const codes = Object.fromEntries((await app.db.all('parts')).map((r) => [r['id'], r['code']]));
    expect(codes).toEqual({ [`${p}b`]: `${p}A`, [`${p}c`]: `${p}B` });
    expect(brief(await app.client.skippedRecords())).toEqual([['parts', `${p}a`, 'unique-clash', `${p}c`]]);
    expect(await app.client.skippedRecords('work_orders')).toEqual([]);
    await expect.poll(() => brief(seen.at(-1) ?? [])).toEqual([['parts', `${p}a`, 'unique-clash', `${p}c`]]);

    // Runs go on while the duplicate stays (no error, nothing stuck).
    expect((await app.client.sync()).outcome).toBe('ok');
    // The server fixes it: a's change settles its entry.
    await fx.server.admin.putRecord('parts', `${p}a`, { code: `${p}D` });
    const fixed = await app.client.sync();
    expect(byCollection(fixed)['parts']).toMatchObject({ skipped: 0 });
    expect(await app.client.skippedRecords()).toEqual([]);
    await expect.poll(() => seen.at(-1)).toEqual([]);
    const server = await serverState(fx.server, 'parts');
    const mine = Object.fromEntries(Object.entries(server).filter(([id]) => id.startsWith(p)));
    expect(await localState(app.db, 'parts')).toEqual(mine);
  });

  it('logs a value IndexedDB cannot clone as not-clonable, and retries the records of a failed transform after a schema upgrade', async () => {
    const { token } = await newUser();
    const ids = await fx.seed('parts', 4, {
      prefix: `${users}-u`,
      value: (i) => ({ code: `${users}-U${i}` }),
    });
    const dbName = uniqueDbName('skipped-upgrade');
    const broken: CollectionOptions = {
      fromServer: (r) => {
        const record = r as Rec;
        if (record['id'] === ids[1]) throw new TypeError('no unit');
        return record['id'] === ids[2] ? { ...record, format: () => 'x' } : record;
      },
    };
    const v1 = fx.app(token, {
      dbName,
      stores,
      versions: versions(1),
      client: { collections: { parts: broken } },
    });
    const first = await v1.client.sync();
    expect(first.outcome).toBe('ok');
    // (parts is shared with the other tests: only this test's records are looked at)
    const mine = (list: SkippedRecord[]) => list.filter((e) => ids.includes(e.id));
    expect(mine(await v1.client.skippedRecords()).map((e) => [e.id, e.reason, e.schemaVersion])).toEqual([
      [ids[1], 'transform-failed', 1],
      [ids[2], 'not-clonable', 1],
    ]);
    expect(await v1.db.get('parts', ids[0]!)).toBeDefined();
    expect(await v1.db.get('parts', ids[1]!)).toBeUndefined();
    await v1.client.close();
    await v1.db.close();

    // The next app version ships a fixed transform: its first sync stores them.
    const v2 = fx.app(token, {
      dbName,
      stores,
      versions: versions(2),
      client: { collections: { parts: {} } },
    });
    const upgraded = await v2.client.sync();
    expect(upgraded.outcome).toBe('ok');
    expect(mine(await v2.client.skippedRecords())).toEqual([]);
    const server = await serverState(fx.server, 'parts');
    const local = await localState(v2.db, 'parts');
    for (const id of ids) expect(local[id]).toEqual(server[id]);
  });

  it('logs a record over maxRecordBytes as too-large, writes the rest of its page, and stores it once the server shrinks it', async () => {
    const { token } = await newUser();
    const ids = await fx.seed('parts', 3, {
      prefix: `${users}-big`,
      value: (i) => ({ code: `${users}-BIG${i}`, note: i === 1 ? 'x'.repeat(300) : 'short' }),
    });
    const app = fx.app(token, {
      stores,
      versions: versions(1),
      client: { collections: { parts: { maxRecordBytes: 200 }, work_orders: {} } },
    });
    const first = await app.client.sync();
    expect(first.outcome).toBe('ok');
    const mine = (list: SkippedRecord[]) => list.filter((e) => ids.includes(e.id));
    const [entry] = mine(await app.client.skippedRecords('parts'));
    expect(entry).toMatchObject({ id: ids[1], reason: 'too-large', rev: expect.any(String) });
    expect(entry?.message).toMatch(/^3\d\d bytes$/);
    expect(await app.db.get('parts', ids[0]!)).toBeDefined();
    expect(await app.db.get('parts', ids[1]!)).toBeUndefined();
    expect(await app.db.get('parts', ids[2]!)).toBeDefined();

    // Not kept, so not retried locally; the server's smaller value settles it on the next pull.
    expect((await app.client.sync({ retrySkipped: true })).outcome).toBe('ok');
    expect(mine(await app.client.skippedRecords())).toHaveLength(1);
    await fx.server.admin.putRecord('parts', ids[1]!, { code: `${users}-BIG1`, note: 'shrunk' });
    expect((await app.client.sync()).outcome).toBe('ok');
    expect(mine(await app.client.skippedRecords())).toEqual([]);
    expect(await app.db.get('parts', ids[1]!)).toMatchObject({ note: 'shrunk' });
  });
});
