import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawProtocolClient } from '../test/server/raw-protocol-client.js';
import { startTestServer, type TestServer } from '../test/server/test-server.js';
import { seedServiceTypes, seedWorkOrders } from './seed.js';

const ROWS = 75_000;
let server: TestServer;
let client: RawProtocolClient;
let seeded: Awaited<ReturnType<typeof seedServiceTypes>>;

beforeAll(async () => {
  // A byte budget above a window of 5,000 records (about 5.5 MB): the window is what cuts pages here.
  server = await startTestServer({ maxWindowSize: 5000, maxPageBytes: 64 * 1024 * 1024 });
  client = new RawProtocolClient(server.url, (await server.admin.createUser('alice')).token);
  seeded = await seedServiceTypes(server.db, ROWS);
}, 120_000);
afterAll(() => server?.close());

describe(`a collection of ${ROWS} records`, () => {
  it('is seeded in bulk with realistic ~1 KB records', async () => {
    expect(seeded.rows).toBe(ROWS);
    expect(seeded.avgValueBytes).toBeGreaterThan(800);
    expect(await server.admin.countRecords('service_types')).toBe(ROWS);
    const sample = await server.admin.getRecord('service_types', 'st-000042');
    expect(sample?.value).toMatchObject({
      id: 'st-000042',
      code: 'ST-000042',
      name: expect.any(String),
      category: expect.any(String),
      tags: expect.any(Array),
      tokens: expect.any(Array),
      description: expect.any(String),
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it('syncs completely in windows: every record once, in id order, with progress totals', async () => {
    const { pages, checkpoint } = await client.pullAll('service_types', { windowSize: 5000 });
    expect(pages).toHaveLength(ROWS / 5000);
    expect(pages.every((p) => p.mode === 'snapshot' && p.total === ROWS)).toBe(true);
    const ids = pages.flatMap((p) => p.changes.map((c) => c.id));
    expect(ids).toHaveLength(ROWS);
    expect(new Set(ids).size).toBe(ROWS);
    expect(ids.every((id, i) => i === 0 || ids[i - 1]! < id)).toBe(true);
    expect(pages.at(-1)?.range?.until).toBeNull();

    // Then only what changes: a re-seed of 10 rows gives exactly 10 changes.
    await seedServiceTypes(server.db, 10, { offset: 100 });
    const next = await client.pullAll('service_types', { checkpoint, windowSize: 5000 });
    expect(next.pages.flatMap((p) => p.changes.map((c) => c.id))).toEqual(
      Array.from({ length: 10 }, (_, i) => `st-${String(101 + i).padStart(6, '0')}`),
    );
  });

  it('seeds per-user work orders that only their user sees', async () => {
    await seedWorkOrders(server.db, 'alice', 30);
    const { token } = await server.admin.createUser('bob');
    expect((await client.pullAll('work_orders')).pages[0]?.total).toBe(30);
    expect((await new RawProtocolClient(server.url, token).pullAll('work_orders')).pages[0]?.total).toBe(0);
  });
});
