import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localState, type SyncFixture, serverState, startSyncFixture } from '../../test/sync/sync-fixture.js';
import { uniqueDbName } from '../../test/sync/test-database.js';
import { isIdbSyncError } from '../errors/idb-sync-error.js';
import type { RecordValue } from '../protocol/messages.js';
import { LOOKUP_TOKENS_VERSION, lookupTokens } from '../query/lookup-tokens.js';
import { readCheckpoints, updateCheckpoints } from './checkpoints.js';
import type { CheckpointRecord } from './internal-stores.js';
import { runTransform } from './record-transform.js';
import { connectionSource } from './sync-database.js';
import type { CollectionOptions } from './sync-options.js';

let fx: SyncFixture;
beforeAll(async () => {
  fx = await startSyncFixture();
});
afterAll(() => fx?.close());

type Rec = Record<string, unknown>;

/** The derivation the tests store: search tokens of the name. */
const withTokens = (r: unknown): Rec => ({ ...(r as Rec), tokens: lookupTokens(String((r as Rec)['name'])) });

/** What a store should hold after a pull through `derive`: the server's records, derived. */
async function derivedServerState(collection: string, derive: (r: unknown) => Rec, owner?: string) {
  const server = await serverState(fx.server, collection, owner);
  return Object.fromEntries(Object.entries(server).map(([id, value]) => [id, derive(value)]));
}

let users = 0;
async function newUser(): Promise<{ owner: string; token: string }> {
  users += 1;
  const owner = `t${users}`;
  return { owner, token: await fx.user(owner) };
}

function collectErrors(client: { errors$: { subscribe(fn: (e: unknown) => void): unknown } }) {
  const errors: unknown[] = [];
  client.errors$.subscribe((e) => errors.push(e));
  return errors;
}

async function checkpointOf(db: object, collection: string): Promise<CheckpointRecord | undefined> {
  return (await readCheckpoints(connectionSource(db))).get(collection);
}

describe('fromServer: every record a pull writes goes through the collection transform', () => {
  it('applies it to full, incremental and red pulls, with the server id and revision kept', async () => {
    const { owner, token } = await newUser();
    const parts = await fx.seed('parts', 25, { prefix: `p${owner}-` });
    await fx.seed('work_orders', 25, { owner, prefix: 'wo' });
    // A transform that tries to change the id and the revision: both stay the server's.
    const fromServer = (r: unknown) => ({ ...withTokens(r), id: 'not-mine', _rev: 'not-mine' });
    const collections: Record<string, CollectionOptions> = {
      parts: { fromServer },
      work_orders: { fromServer },
    };
    const app = fx.app(token, { client: { collections } });

    const first = await app.client.sync();
    expect(first.plans.map((p) => p.mode)).toEqual(['full', 'red']);
    expect(await localState(app.db, 'parts')).toEqual(await derivedServerState('parts', withTokens));
    expect(await localState(app.db, 'work_orders')).toEqual(
      await derivedServerState('work_orders', withTokens, owner),
    );
    const stored = (await app.db.get('parts', parts[3]!)) as Rec;
    expect(stored['id']).toBe(parts[3]);
    expect(stored['_rev']).toMatch(/./);
    expect(stored['_rev']).not.toBe('not-mine');

    // Incremental: a changed and a new record.
    await fx.server.admin.putRecord('parts', parts[0]!, { name: 'Pompe à chaleur' });
    await fx.server.admin.putRecord('work_orders', 'wo-new', { name: 'Boiler repair' }, owner);
    const incremental = await app.client.sync();
    expect(incremental.plans.map((p) => p.mode)).toEqual(['incremental', 'incremental']);
    expect(((await app.db.get('parts', parts[0]!)) as Rec)['tokens']).toContain('pompe');
    expect(((await app.db.get('work_orders', 'wo-new')) as Rec)['tokens']).toContain('boi');

    // Red and forced full: cleared and refetched, still transformed.
    await fx.server.admin.putRecord('work_orders', 'wo001', { name: 'Changed meanwhile' }, owner);
    const red = await app.client.sync({ red: ['work_orders'], full: ['parts'] });
    expect(red.plans.map((p) => p.mode)).toEqual(['full', 'red']);
    expect(await localState(app.db, 'parts')).toEqual(await derivedServerState('parts', withTokens));
    expect(await localState(app.db, 'work_orders')).toEqual(
      await derivedServerState('work_orders', withTokens, owner),
    );
  });

  it('skips a record whose transform throws, writes the rest of its page and the checkpoint, and stores it once fixed', async () => {
    const { token } = await newUser();
    const ids = await fx.seed('service_types', 45, { prefix: `st-${users}-` });
    let brokenId: string | undefined = ids[30]; // on the second page of 20
    const fromServer = (r: unknown) => {
      if ((r as Rec)['id'] === brokenId) throw new RangeError('no price');
      return withTokens(r);
    };
    const dbName = uniqueDbName('transform-fails');
    const app = fx.app(token, { dbName, client: { collections: { service_types: { fromServer } } } });

    const first = await app.client.sync();
    expect(first.outcome).toBe('ok');
    expect(first.collections[0]).toMatchObject({
      pages: 3,
      fetch: 45,
      change: 44,
      skipped: 1,
      outcome: 'ok',
    });
    const expected = await derivedServerState('service_types', withTokens);
    const { [ids[30]!]: _broken, ...withoutBroken } = expected;
    expect(await localState(app.db, 'service_types')).toEqual(withoutBroken);
    expect(await checkpointOf(app.db, 'service_types')).toMatchObject({ phase: 'changes' });
    expect(await app.client.skippedRecords()).toEqual([
      expect.objectContaining({
        collection: 'service_types',
        id: ids[30],
        reason: 'transform-failed',
        message: 'RangeError: no price',
      }),
    ]);

    // Incremental: one bad record no longer fails its page; the good change beside it is written.
    await fx.server.admin.putRecord('service_types', ids[1]!, { name: 'Changed one' });
    await fx.server.admin.putRecord('service_types', ids[2]!, { name: 'Changed two' });
    brokenId = ids[2];
    const incremental = await app.client.sync();
    expect(incremental.outcome).toBe('ok');
    expect(((await app.db.get('service_types', ids[1]!)) as Rec)['name']).toBe('Changed one');
    expect(await app.db.get('service_types', ids[2]!)).toBeUndefined(); // its older copy went too
    expect((await app.client.skippedRecords()).map((e) => e.id).sort()).toEqual([ids[2], ids[30]].sort());

    // Fixed: a retry stores them from the kept values, without refetching.
    brokenId = undefined;
    const retried = await app.client.sync({ retrySkipped: true });
    expect(retried.collections[0]).toMatchObject({ fetch: 0, change: 2, skipped: 0 });
    expect(await app.client.skippedRecords()).toEqual([]);
    expect(await localState(app.db, 'service_types')).toEqual(
      await derivedServerState('service_types', withTokens),
    );
  });

  it('refetches a lookup collection whose search tokens an older lookupTokens made (0.1), once', async () => {
    const { owner, token } = await newUser();
    await fx.seed('parts', 25, { prefix: `q${owner}-` });
    const app = fx.app(token, { client: { collections: { parts: { fromServer: withTokens } } } });
    await app.client.sync();
    expect((await checkpointOf(app.db, 'parts'))?.derivedWith).toBe(LOOKUP_TOKENS_VERSION);

    // As 0.1 left it: tokens of the old format, and a checkpoint that does not say how they were made.
    await updateCheckpoints(connectionSource(app.db), ['parts'], (_, current) => {
      const { derivedWith: _old, ...rest } = current!;
      return rest;
    });
    const stored = (await app.db.getAll('parts')) as Rec[];
    await app.db.seed(
      'parts',
      stored.map((r) => ({ ...r, tokens: ['old'] })),
    );

    const refetch = await app.client.sync();
    expect(refetch.plans.find((p) => p.collection === 'parts')).toMatchObject({
      mode: 'full',
      reasons: ['derivation-changed'],
      restart: true,
    });
    const local = await localState(app.db, 'parts');
    const server = await derivedServerState('parts', withTokens);
    for (const [id, value] of Object.entries(server)) expect(local[id]).toEqual(value);
    expect(Object.keys(local).sort()).toEqual(Object.keys(server).sort());
    // The next runs pull incrementally.
    const next = await app.client.sync();
    expect(next.plans.find((p) => p.collection === 'parts')).toMatchObject({ mode: 'incremental' });
  });

  it('refuses a transform that returns a promise or no record', () => {
    const record = { id: 'a', name: 'x' };
    for (const bad of [async (r: RecordValue) => r, () => null, () => [1, 2]]) {
      const call = () => runTransform('fromServer', bad as never, 'parts', 'a', record);
      expect(call).toThrowError(expect.objectContaining({ code: 'RECORD_TRANSFORM_FAILED', id: 'a' }));
    }
    expect(runTransform('fromServer', (r) => ({ ...r, n: 1 }), 'parts', 'a', record)).toEqual({
      id: 'a',
      name: 'x',
      n: 1,
    });
  });
});

describe('toServer and conflicts: derived fields stay local', () => {
  /** Work orders with a derived `titleUpper`, never pushed. */
  const workOrders: CollectionOptions = {
    conflicts: { kind: 'merge', tie: 'server' },
    fromServer: (r) => ({ ...(r as Rec), titleUpper: String((r as Rec)['title']).toUpperCase() }),
    toServer: (r) => {
      const { titleUpper: _derived, ...rest } = r as Rec;
      return rest;
    },
  };

  it('pushes local writes without the derived fields and keeps them locally', async () => {
    const { owner, token } = await newUser();
    const app = fx.app(token, { client: { collections: { work_orders: workOrders } } });
    await app.client.sync();
    await app.db.put('work_orders', { id: 'w1', title: 'pump', titleUpper: 'PUMP' });
    const pushed = await app.client.sync();
    expect(pushed.push).toMatchObject({ sent: 1, applied: 1 });
    expect((await serverState(fx.server, 'work_orders', owner))['w1']).toEqual({ id: 'w1', title: 'pump' });
    expect(await app.db.get('work_orders', 'w1')).toMatchObject({ title: 'pump', titleUpper: 'PUMP' });
  });

  it('gives the strategy the server value in the local shape and stores a result with derived fields', async () => {
    const { owner, token } = await newUser();
    await fx.server.admin.putRecord('work_orders', 'w1', { title: 'base', qty: 1 }, owner);
    const app = fx.app(token, { client: { collections: { work_orders: workOrders } } });
    await app.client.sync();
    expect(await app.db.get('work_orders', 'w1')).toMatchObject({ titleUpper: 'BASE' });
    await app.db.put('work_orders', { id: 'w1', title: 'base', titleUpper: 'BASE', qty: 2 });
    await fx.server.admin.putRecord('work_orders', 'w1', { title: 'theirs', qty: 1 }, owner);

    const summary = await app.client.sync();
    expect(summary.push.conflicts).toBe(1);
    const [entry] = await app.client.conflictLog();
    // Without the transform the server's side would lack titleUpper and the merge would drop it.
    expect(entry).toMatchObject({
      remote: { id: 'w1', title: 'theirs', qty: 1, titleUpper: 'THEIRS' },
      result: { id: 'w1', title: 'theirs', qty: 2, titleUpper: 'THEIRS' },
      rule: 'merge',
    });
    expect(await app.db.get('work_orders', 'w1')).toMatchObject({
      title: 'theirs',
      qty: 2,
      titleUpper: 'THEIRS',
    });
    expect((await serverState(fx.server, 'work_orders', owner))['w1']).toEqual({
      id: 'w1',
      title: 'theirs',
      qty: 2,
    });
    expect(await app.client.pendingWrites()).toBe(0);
  });

  it('leaves a conflicting write in the outbox, unresolved and unlogged, when fromServer throws on the server value', async () => {
    const { owner, token } = await newUser();
    await fx.server.admin.putRecord('work_orders', 'w1', { title: 'base' }, owner);
    let broken = false;
    const fromServer = (r: unknown) => {
      if (broken) throw new Error('bad record');
      return workOrders.fromServer!(r);
    };
    const app = fx.app(token, { client: { collections: { work_orders: { ...workOrders, fromServer } } } });
    await app.client.sync();
    await app.db.put('work_orders', { id: 'w1', title: 'mine', titleUpper: 'MINE' });
    await fx.server.admin.putRecord('work_orders', 'w1', { title: 'theirs' }, owner);
    const errors = collectErrors(app.client);
    broken = true;

    await app.client.sync();
    expect(errors.find((e) => isIdbSyncError(e, 'RECORD_TRANSFORM_FAILED'))).toMatchObject({
      transform: 'fromServer',
      id: 'w1',
    });
    expect(await app.client.conflictLog()).toEqual([]);
    expect(await app.client.pendingWrites()).toBe(1);
    expect(await app.db.get('work_orders', 'w1')).toMatchObject({ title: 'mine' });

    broken = false;
    await app.client.sync();
    expect(await app.client.conflictLog()).toHaveLength(1);
    expect(await app.db.get('work_orders', 'w1')).toMatchObject({ title: 'theirs', titleUpper: 'THEIRS' });
  });

  it('fails the push before anything is sent when toServer throws, and keeps the write', async () => {
    const { owner, token } = await newUser();
    const app = fx.app(token, {
      client: {
        collections: {
          work_orders: {
            toServer: () => {
              throw new Error('cannot strip');
            },
          },
        },
      },
    });
    await app.client.sync();
    const errors = collectErrors(app.client);
    await app.db.put('work_orders', { id: 'w1', title: 'pump' });
    const summary = await app.client.sync();
    expect(summary.outcome).toBe('error');
    expect(summary.error?.code).toBe('RECORD_TRANSFORM_FAILED');
    expect(errors.find((e) => isIdbSyncError(e, 'RECORD_TRANSFORM_FAILED'))).toMatchObject({
      transform: 'toServer',
      id: 'w1',
    });
    expect(app.transport.pushes).toHaveLength(0);
    expect(await serverState(fx.server, 'work_orders', owner)).toEqual({});
    expect(await app.client.pendingWrites()).toBe(1);
  });

  it('rejects a transform option that is not a function', () => {
    expect(() =>
      fx.app('t', { client: { collections: { parts: { fromServer: 'tokens' as never } } } }),
    ).toThrowError(expect.objectContaining({ code: 'INVALID_RECORD', store: 'parts' }));
  });
});
