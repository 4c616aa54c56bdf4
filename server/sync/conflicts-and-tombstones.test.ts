import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mutation, MutationResult } from '../../src/protocol/index.js';
import { applyPages, RawProtocolClient } from '../../test/server/raw-protocol-client.js';
import { startTestServer, type TestServer } from '../../test/server/test-server.js';

let server: TestServer;
let client: RawProtocolClient;
let nextMutation = 0;

beforeAll(async () => {
  server = await startTestServer();
  client = new RawProtocolClient(server.url, (await server.admin.createUser('alice')).token);
});
afterAll(() => server?.close());

async function one(m: Omit<Mutation, 'mutationId' | 'collection'>): Promise<MutationResult> {
  const { status, body } = await client.push({
    clientId: 'phone',
    mutations: [{ ...m, collection: 'customers', mutationId: ++nextMutation }],
  });
  expect(status).toBe(200);
  return body.results[0]!;
}
const revOf = (r: MutationResult) => (r.status === 'applied' ? r.rev : expect.unreachable(JSON.stringify(r)));

describe('conflicts', () => {
  it('applies an update from the current rev and answers a stale one with the server record', async () => {
    const rev1 = revOf(await one({ id: 'k1', op: 'put', baseRev: null, value: { v: 1 } }));
    const rev2 = revOf(await one({ id: 'k1', op: 'put', baseRev: rev1, value: { v: 2 } }));
    expect(Number(rev2)).toBeGreaterThan(Number(rev1));
    const stale = await one({ id: 'k1', op: 'put', baseRev: rev1, value: { v: 3 } });
    expect(stale).toEqual({
      mutationId: nextMutation,
      status: 'conflict',
      current: { id: 'k1', rev: rev2, op: 'put', value: { v: 2 } },
    });
  });

  it('answers an update of a deleted record with the tombstone, and lets a put on the tombstone rev recreate it', async () => {
    const rev1 = revOf(await one({ id: 'k2', op: 'put', baseRev: null, value: { v: 1 } }));
    const tomb = await server.admin.deleteRecord('customers', 'k2', 'alice');
    const stale = await one({ id: 'k2', op: 'put', baseRev: rev1, value: { v: 2 } });
    expect(stale).toMatchObject({ status: 'conflict', current: { id: 'k2', rev: tomb, op: 'delete' } });
    const recreated = await one({ id: 'k2', op: 'put', baseRev: tomb, value: { v: 3 } });
    expect(recreated.status).toBe('applied');
  });

  it('lets a create reuse the id of a deleted record', async () => {
    revOf(await one({ id: 'k3', op: 'put', baseRev: null, value: { v: 1 } }));
    await server.admin.deleteRecord('customers', 'k3', 'alice');
    expect((await one({ id: 'k3', op: 'put', baseRev: null, value: { v: 2 } })).status).toBe('applied');
  });

  it('answers an update of an id the server never had with current null', async () => {
    expect(await one({ id: 'ghost', op: 'put', baseRev: '12345', value: {} })).toMatchObject({
      status: 'conflict',
      current: null,
    });
  });

  it('applies a delete of an already deleted record without writing again', async () => {
    const rev1 = revOf(await one({ id: 'k4', op: 'put', baseRev: null, value: {} }));
    const tomb = revOf(await one({ id: 'k4', op: 'delete', baseRev: rev1 }));
    expect(await one({ id: 'k4', op: 'delete', baseRev: rev1 })).toMatchObject({
      status: 'applied',
      rev: tomb,
    });
  });

  it('answers a delete from a stale rev with a conflict and keeps the record', async () => {
    const rev1 = revOf(await one({ id: 'k5', op: 'put', baseRev: null, value: { v: 1 } }));
    await server.admin.putRecord('customers', 'k5', { v: 2 }, 'alice');
    expect(await one({ id: 'k5', op: 'delete', baseRev: rev1 })).toMatchObject({ status: 'conflict' });
    expect((await server.admin.getRecord('customers', 'k5', 'alice'))?.deleted).toBe(false);
  });

  it('rejects malformed mutations as invalid without stopping the rest of the push', async () => {
    const { body } = await client.push({
      clientId: 'phone',
      mutations: [
        { mutationId: ++nextMutation, collection: 'customers', id: 'k6', op: 'put', baseRev: null },
        { mutationId: ++nextMutation, collection: 'customers', id: 'k6', op: 'delete', baseRev: null },
        {
          mutationId: ++nextMutation,
          collection: 'customers',
          id: 'k7',
          op: 'put',
          baseRev: null,
          value: {},
        },
      ],
    });
    expect(body.results.map((r) => (r.status === 'rejected' ? r.reason : r.status))).toEqual([
      'invalid',
      'invalid',
      'applied',
    ]);
  });
});

describe('tombstones', () => {
  it('delivers server-side deletes to clients, and a client delete is not brought back by the next pull', async () => {
    const { token } = await server.admin.createUser('bob');
    const bob = new RawProtocolClient(server.url, token);
    await server.admin.putRecord('work_orders', 'p1', { v: 1 }, 'bob');
    await server.admin.putRecord('work_orders', 'p2', { v: 1 }, 'bob');
    const first = await bob.pullAll('work_orders');
    const state = applyPages(first.pages);

    await server.admin.deleteRecord('work_orders', 'p1', 'bob');
    const rev = first.pages[0]!.changes.find((c) => c.id === 'p2')!.rev;
    const pushed = await bob.push({
      clientId: 'bob-phone',
      mutations: [{ mutationId: 1, collection: 'work_orders', id: 'p2', op: 'delete', baseRev: rev }],
    });
    expect(pushed.body.results[0]?.status).toBe('applied');
    state.delete('p2');

    const next = await bob.pullAll('work_orders', { checkpoint: first.checkpoint });
    expect(next.pages.flatMap((p) => p.changes).map((c) => [c.id, c.op])).toEqual([
      ['p1', 'delete'],
      ['p2', 'delete'],
    ]);
    expect([...applyPages(next.pages, state).keys()]).toEqual([]);
    // A fresh full sync does not carry tombstones at all.
    const fresh = await bob.pullAll('work_orders');
    expect(fresh.pages.flatMap((p) => p.changes)).toEqual([]);
  });

  it('compacts old tombstones and answers checkpoints from before the horizon with RESET_REQUIRED', async () => {
    const { token } = await server.admin.createUser('carol');
    const carol = new RawProtocolClient(server.url, token);
    await server.admin.putRecord('work_orders', 'q1', { v: 1 }, 'carol');
    await server.admin.putRecord('work_orders', 'q2', { v: 1 }, 'carol');
    const old = await carol.pullAll('work_orders');
    await server.admin.deleteRecord('work_orders', 'q1', 'carol');
    const recent = await carol.pullAll('work_orders', { checkpoint: old.checkpoint });

    expect(await server.admin.compactTombstones({ olderThanMs: 0 })).toBeGreaterThan(0);
    expect(await server.admin.getRecord('work_orders', 'q1', 'carol')).toBeNull();

    const stale = await carol.pull({ collection: 'work_orders', checkpoint: old.checkpoint, windowSize: 10 });
    expect(stale.status).toBe(410);
    expect(stale.body.error).toMatchObject({
      code: 'RESET_REQUIRED',
      details: { collection: 'work_orders' },
    });
    // A client that had already seen the delete keeps going.
    const fine = await carol.pull({
      collection: 'work_orders',
      checkpoint: recent.checkpoint,
      windowSize: 10,
    });
    expect(fine.status).toBe(200);
    // The reset itself: a full sync from null.
    const full = await carol.pullAll('work_orders');
    expect([...applyPages(full.pages).keys()]).toEqual(['q2']);
  });

  it('keeps tombstones younger than the retention', async () => {
    const { token } = await server.admin.createUser('dave');
    const dave = new RawProtocolClient(server.url, token);
    await server.admin.putRecord('work_orders', 'r1', {}, 'dave');
    const before = await dave.pullAll('work_orders');
    await server.admin.deleteRecord('work_orders', 'r1', 'dave');
    await server.admin.compactTombstones({ olderThanMs: 60_000 });
    const after = await dave.pullAll('work_orders', { checkpoint: before.checkpoint });
    expect(after.pages[0]?.changes).toEqual([{ id: 'r1', rev: expect.any(String), op: 'delete' }]);
  });
});
