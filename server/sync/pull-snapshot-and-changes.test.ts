import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPages, RawProtocolClient } from '../../test/server/raw-protocol-client.js';
import { startTestServer, type TestServer } from '../../test/server/test-server.js';

let server: TestServer;
let client: RawProtocolClient;

beforeAll(async () => {
  server = await startTestServer();
  const { token } = await server.admin.createUser('alice');
  client = new RawProtocolClient(server.url, token);
});
afterAll(() => server?.close());

const ids = (n: number, prefix = 'c') =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);

describe('pull', () => {
  it('serves a full sync as a snapshot ordered by id, page by page, with ranges and a total', async () => {
    for (const id of ids(25)) await server.admin.putRecord('customers', id, { name: id }, 'alice');
    const { pages } = await client.pullAll('customers', { windowSize: 10 });
    expect(pages.map((p) => p.mode)).toEqual(['snapshot', 'snapshot', 'snapshot']);
    expect(pages.map((p) => p.changes.length)).toEqual([10, 10, 5]);
    expect(pages.map((p) => p.total)).toEqual([25, 25, 25]);
    expect(pages.map((p) => p.range)).toEqual([
      { after: null, until: 'c009' },
      { after: 'c009', until: 'c019' },
      { after: 'c019', until: null },
    ]);
    expect(pages.flatMap((p) => p.changes.map((c) => c.id))).toEqual(ids(25));
    expect(pages.at(-1)?.moreAvailable).toBe(false);
  });

  it('orders snapshot ids in binary order, as the client compares keys', async () => {
    const { token } = await server.admin.createUser('binary');
    const weird = ['b', 'B', 'a', 'é', 'Z', '_', 'a b', '10', '9'];
    for (const id of weird) await server.admin.putRecord('customers', id, { id }, 'binary');
    const { pages } = await new RawProtocolClient(server.url, token).pullAll('customers', { windowSize: 4 });
    const got = pages.flatMap((p) => p.changes.map((c) => c.id));
    expect(got).toEqual([...weird].sort());
  });

  it('pages past ids of the maximum length in non-ASCII characters', async () => {
    const { token } = await server.admin.createUser('long-ids');
    const long = (c: string) => c.repeat(256);
    const idsIn = [long('日'), long('é'), long('z')].sort();
    for (const id of idsIn) await server.admin.putRecord('customers', id, { n: id.length }, 'long-ids');
    const { pages } = await new RawProtocolClient(server.url, token).pullAll('customers', { windowSize: 1 });
    expect(pages.flatMap((p) => p.changes.map((c) => c.id))).toEqual(idsIn);
    expect(Math.max(...pages.map((p) => p.checkpoint.length))).toBeLessThanOrEqual(2048);
  });

  it('switches to the change log after the snapshot and delivers only what changed since', async () => {
    const { token } = await server.admin.createUser('bob');
    const bob = new RawProtocolClient(server.url, token);
    for (const id of ids(5)) await server.admin.putRecord('work_orders', id, { v: 1 }, 'bob');
    const first = await bob.pullAll('work_orders', { windowSize: 100 });
    expect(first.pages).toHaveLength(1);

    const nothing = await bob.pull({
      collection: 'work_orders',
      checkpoint: first.checkpoint,
      windowSize: 100,
    });
    expect(nothing.body).toMatchObject({ mode: 'changes', changes: [], moreAvailable: false });
    expect(nothing.body.checkpoint).toBe(first.checkpoint);

    await server.admin.putRecord('work_orders', 'c001', { v: 2 }, 'bob');
    await server.admin.deleteRecord('work_orders', 'c003', 'bob');
    await server.admin.putRecord('work_orders', 'new', { v: 1 }, 'bob');
    const next = await bob.pullAll('work_orders', { checkpoint: first.checkpoint, windowSize: 2 });
    const changes = next.pages.flatMap((p) => p.changes);
    expect(changes.map((c) => [c.id, c.op])).toEqual([
      ['c001', 'put'],
      ['c003', 'delete'],
      ['new', 'put'],
    ]);
    expect(next.pages.every((p) => p.mode === 'changes' && p.range === undefined)).toBe(true);
    const state = applyPages([...first.pages, ...next.pages]);
    expect([...state.keys()].sort()).toEqual(['c000', 'c001', 'c002', 'c004', 'new']);
    expect(state.get('c001')).toEqual({ v: 2 });
  });

  it('returns the same page when the previous checkpoint is replayed (a retry after a lost response)', async () => {
    const { token } = await server.admin.createUser('carol');
    const carol = new RawProtocolClient(server.url, token);
    for (const id of ids(30)) await server.admin.putRecord('customers', id, { id }, 'carol');
    const p1 = await carol.pull({ collection: 'customers', checkpoint: null, windowSize: 10 });
    const p2 = await carol.pull({ collection: 'customers', checkpoint: p1.body.checkpoint, windowSize: 10 });
    const p2again = await carol.pull({
      collection: 'customers',
      checkpoint: p1.body.checkpoint,
      windowSize: 10,
    });
    expect(p2again.body.changes).toEqual(p2.body.changes);
    expect(p2again.body.checkpoint).toBe(p2.body.checkpoint);

    const { checkpoint } = await carol.pullAll('customers', { checkpoint: p2.body.checkpoint });
    for (const id of ids(6, 'x')) await server.admin.putRecord('customers', id, { id }, 'carol');
    const c1 = await carol.pull({ collection: 'customers', checkpoint, windowSize: 4 });
    const c1again = await carol.pull({ collection: 'customers', checkpoint, windowSize: 4 });
    expect(c1.body.changes.map((c) => c.id)).toEqual(['x000', 'x001', 'x002', 'x003']);
    expect(c1again.body).toEqual(c1.body);
  });

  it('clamps the window size to the configured maximum and says so', async () => {
    const small = await startTestServer({ maxWindowSize: 3 });
    try {
      const { token } = await small.admin.createUser('dave');
      for (const id of ids(5)) await small.admin.putRecord('customers', id, {}, 'dave');
      const page = await new RawProtocolClient(small.url, token).pull({
        collection: 'customers',
        checkpoint: null,
        windowSize: 50_000,
      });
      expect(page.status).toBe(200);
      expect(page.body.windowSize).toBe(3);
      expect(page.body.changes).toHaveLength(3);
      expect(page.body.moreAvailable).toBe(true);
    } finally {
      await small.close();
    }
  });

  it('filters by top-level fields and sends records that leave the filter as deletes', async () => {
    const { token } = await server.admin.createUser('erin');
    const erin = new RawProtocolClient(server.url, token);
    await server.admin.putRecord('work_orders', 'w1', { status: 'open' }, 'erin');
    await server.admin.putRecord('work_orders', 'w2', { status: 'done' }, 'erin');
    await server.admin.putRecord('work_orders', 'w3', { status: 'open' }, 'erin');
    const filter = { status: 'open' };
    const first = await erin.pullAll('work_orders', { filter });
    expect(first.pages[0]?.changes.map((c) => c.id)).toEqual(['w1', 'w3']);
    expect(first.pages[0]?.total).toBe(2);

    await server.admin.putRecord('work_orders', 'w1', { status: 'done' }, 'erin');
    const next = await erin.pullAll('work_orders', { checkpoint: first.checkpoint, filter });
    expect(next.pages[0]?.changes).toEqual([{ id: 'w1', rev: expect.any(String), op: 'delete' }]);

    // The checkpoint is bound to its filter.
    const other = await erin.pull({ collection: 'work_orders', checkpoint: next.checkpoint, windowSize: 10 });
    expect(other.status).toBe(400);
    expect(other.body.error.code).toBe('INVALID_CHECKPOINT');
  });

  it('says moreAvailable on the last snapshot page when changes arrived during the snapshot', async () => {
    const { token } = await server.admin.createUser('frank');
    const frank = new RawProtocolClient(server.url, token);
    for (const id of ids(4)) await server.admin.putRecord('customers', id, { v: 1 }, 'frank');
    const p1 = await frank.pull({ collection: 'customers', checkpoint: null, windowSize: 2 });
    await server.admin.putRecord('customers', 'c000', { v: 2 }, 'frank');
    const p2 = await frank.pull({ collection: 'customers', checkpoint: p1.body.checkpoint, windowSize: 2 });
    expect(p2.body).toMatchObject({
      mode: 'snapshot',
      range: { after: 'c001', until: null },
      moreAvailable: true,
    });
    const p3 = await frank.pull({ collection: 'customers', checkpoint: p2.body.checkpoint, windowSize: 2 });
    expect(p3.body.mode).toBe('changes');
    expect(p3.body.changes).toEqual([{ id: 'c000', rev: expect.any(String), op: 'put', value: { v: 2 } }]);
    expect(applyPages([p1.body, p2.body, p3.body]).get('c000')).toEqual({ v: 2 });
  });
});
