// Every public way to write a transactional store is a synced write: it records its outbox entry in
// the same IndexedDB transaction, and the next sync brings it to the reference server.
import { filter, firstValueFrom, from } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { rawConnectionOf } from '../../test/db/test-support.js';
import { type SyncFixture, serverState, startSyncFixture } from '../../test/sync/sync-fixture.js';
import { uniqueDbName } from '../../test/sync/test-database.js';
import type { StoreChange } from '../db/database-changes.js';
import { isIdbSyncError } from '../errors/idb-sync-error.js';

let fx: SyncFixture;
beforeAll(async () => {
  fx = await startSyncFixture();
});
afterAll(() => fx?.close());

async function app(owner: string) {
  const token = await fx.user(owner);
  const created = fx.app(token);
  await created.client.sync();
  return created;
}

/** The outbox as `[store, key, op]`, by mutation id. */
async function outbox(db: { idb(): Promise<{ getAll(store: string): Promise<unknown[]> }> }) {
  const entries = (await (await db.idb()).getAll('_outbox')) as {
    mutationId: number;
    store: string;
    id: string;
    op: string;
  }[];
  return entries.sort((a, b) => a.mutationId - b.mutationId).map((e) => [e.store, e.id, e.op]);
}

describe('every public write to a transactional store reaches the server after a sync', () => {
  it('put and delete', async () => {
    const { db, client } = await app('single');
    await db.put('work_orders', { id: 'w1', title: 'put' });
    await db.put('work_orders', { id: 'w2', title: 'put, then deleted' });
    await client.sync();
    await db.delete('work_orders', 'w2');
    expect(await outbox(db)).toEqual([['work_orders', 'w2', 'delete']]);

    const summary = await client.sync();

    expect(summary.push).toMatchObject({ sent: 1, applied: 1 });
    expect(await serverState(fx.server, 'work_orders', 'single')).toEqual({ w1: { id: 'w1', title: 'put' } });
    expect(await outbox(db)).toEqual([]);
  });

  it('write(stores, fn): put, add, delete and delete(range) on several stores in one transaction', async () => {
    const { db, client } = await app('callback');
    await db.put('work_orders', { id: 'gone-1', title: 'x' });
    await db.put('work_orders', { id: 'gone-2', title: 'x' });
    await client.sync();

    const keys = await db.write(['work_orders', 'customers'], async (tx) => {
      const orders = tx.objectStore('work_orders');
      const put = orders.put({ id: 'w1', title: 'in a transaction' });
      const added = orders.add({ id: 'w2', title: 'added' });
      const customer = tx.objectStore('customers').put({ id: 'c1', name: 'Acme' });
      void orders.delete(IDBKeyRange.bound('gone-', 'gone-\uffff'));
      return Promise.all([put, added, customer]);
    });
    expect(keys).toEqual(['w1', 'w2', 'c1']);
    await client.sync();

    expect(await serverState(fx.server, 'work_orders', 'callback')).toEqual({
      w1: { id: 'w1', title: 'in a transaction' },
      w2: { id: 'w2', title: 'added' },
    });
    expect(await serverState(fx.server, 'customers', 'callback')).toEqual({ c1: { id: 'c1', name: 'Acme' } });
  });

  it('bulkPut and bulkDelete: one transaction, one outbox entry per record', async () => {
    const { db, client } = await app('bulk');
    const connection = await rawConnectionOf(db);
    const transactions = vi.spyOn(connection, 'transaction');
    const orders = Array.from({ length: 50 }, (_, i) => ({ id: `w${String(i).padStart(2, '0')}`, n: i }));

    expect(await db.bulkPut('work_orders', orders)).toEqual(orders.map((o) => o.id));
    expect(transactions).toHaveBeenCalledTimes(1);
    expect(await outbox(db)).toEqual(orders.map((o) => ['work_orders', o.id, 'put']));
    transactions.mockRestore();
    await client.sync();

    await db.bulkDelete(
      'work_orders',
      orders.filter((o) => o.n % 2 === 1).map((o) => o.id),
    );
    await client.sync();

    const expected = Object.fromEntries(orders.filter((o) => o.n % 2 === 0).map((o) => [o.id, o]));
    expect(await serverState(fx.server, 'work_orders', 'bulk')).toEqual(expected);
  });

  it('a batch over records with unsent writes coalesces into their entries, also twice in one batch', async () => {
    const { db, client } = await app('bulk-coalesce');
    const first = Array.from({ length: 20 }, (_, i) => ({ id: `w${String(i).padStart(2, '0')}`, v: 1 }));
    await db.bulkPut('work_orders', first);
    const second = first.map((o) => ({ ...o, v: 2 }));
    await db.bulkPut('work_orders', [...second, { id: 'w00', v: 3 }, { id: 'w-new', v: 1 }]);
    // One entry per record: the second batch replaced the unsent entries (w00 twice in it).
    expect(await outbox(db)).toEqual([
      ...first.map((o) => ['work_orders', o.id, 'put']),
      ['work_orders', 'w-new', 'put'],
    ]);
    await db.bulkDelete('work_orders', ['w01', 'w02', 'w-new', 'w03', 'w04', 'w05', 'w06', 'w07', 'w08']);
    const summary = await client.sync();
    expect(summary.push.sent).toBe(12);
    const server = await serverState(fx.server, 'work_orders', 'bulk-coalesce');
    expect(server['w00']).toEqual({ id: 'w00', v: 3 });
    expect(server['w09']).toEqual({ id: 'w09', v: 2 });
    expect(Object.keys(server)).toHaveLength(12);
  });

  it('put decides its outbox entry on what is stored: a new record, an edit, a write over an unsent one', async () => {
    const { db, client } = await app('put-guess');
    const entries = async () =>
      ((await (await db.idb()).getAll('_outbox')) as Record<string, unknown>[]).sort(
        (a, b) => (a['mutationId'] as number) - (b['mutationId'] as number),
      );
    await db.put('work_orders', { id: 'synced', v: 1 });
    await client.sync();
    const rev = ((await db.get('work_orders', 'synced')) as { _rev: string })._rev;
    expect(typeof rev).toBe('string');

    await db.put('work_orders', { id: 'new', v: 1 }); // a new record
    await db.put('work_orders', { id: 'synced', v: 2 }); // an edit: based on the stored revision
    await db.put('work_orders', { id: 'new', v: 2 }); // over an unsent write: coalesced into it
    const [created, edited, ...rest] = await entries();
    expect(rest).toEqual([]);
    expect(created).toMatchObject({ id: 'new', op: 'put', value: { id: 'new', v: 2 }, baseRev: null });
    expect(edited).toMatchObject({
      id: 'synced',
      value: { id: 'synced', v: 2 },
      baseRev: rev,
      base: { id: 'synced', v: 1 },
    });
    expect(created!['mutationId']).toBeLessThan(edited!['mutationId'] as number);
    // The stored record keeps the revision it is based on.
    expect(await db.get('work_orders', 'synced')).toEqual({ id: 'synced', v: 2, _rev: rev });

    const summary = await client.sync();
    expect(summary.push).toMatchObject({ sent: 2, applied: 2 });
    expect(await serverState(fx.server, 'work_orders', 'put-guess')).toEqual({
      new: { id: 'new', v: 2 },
      synced: { id: 'synced', v: 2 },
    });
  });

  it('a batch over synced records bases each write on its stored revision, read at once or one by one', async () => {
    const { db, client } = await app('bulk-base');
    const id = (i: number) => `w${String(i).padStart(3, '0')}`;
    await db.bulkPut(
      'work_orders',
      Array.from({ length: 100 }, (_, i) => ({ id: id(i), v: 0 })),
    );
    await client.sync();
    const revs = new Map<string, unknown>();
    for (let i = 0; i < 100; i += 1)
      revs.set(id(i), ((await db.get('work_orders', id(i))) as { _rev?: unknown })?._rev);
    expect(new Set(revs.values()).size).toBe(100);

    // 20 records of a range holding 20: read at once; w045 twice (the second sees the first).
    const dense = Array.from({ length: 20 }, (_, i) => ({ id: id(40 + i), v: 1 }));
    await db.bulkPut('work_orders', [...dense, { id: id(45), v: 2 }]);
    // 10 records spread over a range holding all 100 (too many to read at once): read one by one.
    await db.bulkPut(
      'work_orders',
      Array.from({ length: 10 }, (_, i) => ({ id: id(i * 10 + 1), v: 3 })),
    );
    const entries = (await (await db.idb()).getAll('_outbox')) as { id: string; baseRev: unknown }[];
    expect(entries).toHaveLength(28); // w041 and w051 are in both batches: one entry each
    for (const entry of entries) expect(entry.baseRev).toBe(revs.get(entry.id));

    const summary = await client.sync();
    expect(summary.push).toMatchObject({ sent: 28, applied: 28 });
    const server = await serverState(fx.server, 'work_orders', 'bulk-base');
    expect(server[id(45)]).toEqual({ id: id(45), v: 2 });
    expect(server[id(41)]).toEqual({ id: id(41), v: 3 });
    expect(server[id(91)]).toEqual({ id: id(91), v: 3 });
    expect(server[id(42)]).toEqual({ id: id(42), v: 1 });
  });

  it('a batch keeps the last of several writes to one record in one transaction', async () => {
    const { db, client } = await app('same-record');
    await db.write(['work_orders'], (tx) => {
      const orders = tx.objectStore('work_orders');
      void orders.put({ id: 'w1', title: 'first' });
      void orders.put({ id: 'w1', title: 'second' });
      void orders.put({ id: 'w2', title: 'created and deleted' });
      void orders.delete('w2');
    });
    // Coalesced: one mutation for w1, nothing for w2 (created and deleted before any push).
    expect(await outbox(db)).toEqual([['work_orders', 'w1', 'put']]);
    await client.sync();
    expect(await serverState(fx.server, 'work_orders', 'same-record')).toEqual({
      w1: { id: 'w1', title: 'second' },
    });
  });

  it('copies the value when put is called, as IndexedDB does', async () => {
    const { db, client } = await app('copies');
    await db.write(['work_orders'], (tx) => {
      const reused = { id: 'w1', title: 'one' };
      void tx.objectStore('work_orders').put(reused);
      reused.id = 'w2';
      reused.title = 'two';
      void tx.objectStore('work_orders').put(reused);
    });
    await client.sync();
    expect(await serverState(fx.server, 'work_orders', 'copies')).toEqual({
      w1: { id: 'w1', title: 'one' },
      w2: { id: 'w2', title: 'two' },
    });
  });

  it('announces each committed write on changes$, and nothing of an aborted one', async () => {
    const { db } = await app('announces');
    const seen: StoreChange[] = [];
    const subscription = db.changes$.subscribe((c) => seen.push(c));
    await db.bulkPut('work_orders', [
      { id: 'a', title: 'a' },
      { id: 'b', title: 'b' },
    ]);
    await db.delete('work_orders', 'a');
    await expect(
      db.write(['work_orders'], (tx) => {
        void tx.objectStore('work_orders').put({ id: 'never', title: 'aborted' });
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow();
    subscription.unsubscribe();
    expect(seen).toEqual([
      { store: 'work_orders', type: 'put', key: 'a', origin: 'local' },
      { store: 'work_orders', type: 'put', key: 'b', origin: 'local' },
      { store: 'work_orders', type: 'delete', key: 'a', origin: 'local' },
    ]);
    expect(await db.get('work_orders', 'never')).toBeUndefined();
    expect(await outbox(db)).toEqual([['work_orders', 'b', 'put']]);
  });

  it('the leading tab pushes a write made through the handle in another tab', async () => {
    const token = await fx.user('tabs');
    const dbName = uniqueDbName('write-tabs');
    const leader = fx.app(token, { dbName });
    const other = fx.app(token, { dbName });
    await leader.client.start();
    await leader.client.whenIdle();
    const pushed = firstValueFrom(from(leader.client.runs$).pipe(filter((run) => run.push.applied > 0)));
    // No sync client runs in the other tab: its handle announces the write, the leader pushes it.
    await other.db.put('work_orders', { id: 'from-other-tab', title: 'pushed by the leader' });
    await pushed;
    expect((await serverState(fx.server, 'work_orders', 'tabs'))['from-other-tab']).toEqual({
      id: 'from-other-tab',
      title: 'pushed by the leader',
    });
    // And its own tab's writes, of course.
    const pushedAgain = firstValueFrom(from(leader.client.runs$).pipe(filter((run) => run.push.applied > 0)));
    await leader.db.put('work_orders', { id: 'from-the-leader', title: 'pushed at once' });
    await pushedAgain;
    expect((await serverState(fx.server, 'work_orders', 'tabs'))['from-the-leader']).toBeDefined();
  });
});

describe('writes that would not reach the server are refused at once', () => {
  it('refuses clear(), cursor writes and out-of-line keys on a synced store, writing nothing', async () => {
    const { db } = await app('refused');
    await db.put('work_orders', { id: 'w1', title: 'kept' });
    const cleared = await db
      .write(['work_orders'], (tx) =>
        (tx.objectStore('work_orders') as unknown as { clear(): unknown }).clear(),
      )
      .catch((e: unknown) => e);
    expect(cleared).toMatchObject({ code: 'WRITE_REFUSED', operation: 'clear()', reason: 'untrackable' });
    expect((cleared as Error).message).toContain('bulkDelete');

    // Refused when called, before any request: the callback catches the refusal, so the
    // transaction ends without writing (indexeddbshim reports an abort with an open cursor as an
    // uncaught exception, whatever aborts it).
    for (const operation of ['update', 'delete'] as const) {
      const refused = await db.write(['work_orders'], (tx) =>
        tx
          .objectStore('work_orders')
          .openCursor()
          .then((cursor) => {
            const writable = cursor as unknown as { update(value: unknown): unknown; delete(): unknown };
            try {
              if (operation === 'update') writable.update({ id: 'w1', title: 'through a cursor' });
              else writable.delete();
            } catch (error) {
              return error;
            }
            return undefined;
          }),
      );
      expect(refused).toMatchObject({ code: 'WRITE_REFUSED', operation: `cursor.${operation}()` });
    }

    const outOfLine = await db
      .write(['work_orders'], (tx) =>
        (tx.objectStore('work_orders').put as (v: unknown, k: unknown) => unknown)({ title: 'x' }, 'w9'),
      )
      .catch((e: unknown) => e);
    expect(outOfLine).toMatchObject({ code: 'WRITE_REFUSED', operation: 'put(value, key)' });
    expect(await db.getAll('work_orders')).toEqual([{ id: 'w1', title: 'kept' }]);
  });

  it('refuses a key of the wrong type with INVALID_KEY', async () => {
    const { db } = await app('bad-keys');
    for (const id of [42, '', undefined, new Date(0)]) {
      await expect(db.put('work_orders', { id, title: 'x' })).rejects.toSatisfy((e) =>
        isIdbSyncError(e, 'INVALID_KEY'),
      );
    }
    expect(await db.count('work_orders')).toBe(0);
  });

  it('refuses writes to a lookup store unless localOnly, and keeps localOnly writes local', async () => {
    const { db, client } = await app('lookup');
    await expect(db.put('parts', { id: 'p1', name: 'x' })).rejects.toMatchObject({
      code: 'WRITE_REFUSED',
      reason: 'lookup-store',
    });
    await expect(db.write(['parts'], (tx) => tx.objectStore('parts').delete('p1'))).rejects.toMatchObject({
      code: 'WRITE_REFUSED',
      reason: 'lookup-store',
    });
    await expect(db.put('work_orders', { id: 'w1' }, { localOnly: true } as never)).rejects.toMatchObject({
      code: 'WRITE_REFUSED',
      reason: 'local-only-synced',
    });

    await db.put('parts', { id: 'p1', name: 'local only' }, { localOnly: true });
    await db.write(
      ['parts'],
      async (tx) => {
        await tx.objectStore('parts').put({ id: 'p2', name: 'local only too' });
      },
      { localOnly: true },
    );
    expect(await outbox(db)).toEqual([]);
    await client.sync();
    expect(await serverState(fx.server, 'parts')).toEqual({});
  });
});
