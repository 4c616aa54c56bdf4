import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PullResponse } from '../../src/protocol/index.js';
import { PROTOCOL_PATHS } from '../../src/protocol/version.js';
import { applyPages, RawProtocolClient } from '../../test/server/raw-protocol-client.js';
import { startTestServer, type TestServer } from '../../test/server/test-server.js';
import { seedServiceTypes } from '../seed.js';

// Pages were bounded by count only: 600 records of about 1 MB with a window of 100 made a 104 MB
// response, and a window of 1,000 answered 500 "Invalid string length" for good.

const MB = 1024 * 1024;

/** Pulls from `checkpoint` until done, keeping each response's size in bytes. */
async function pullSized(
  client: RawProtocolClient,
  collection: string,
  windowSize: number,
  checkpoint: string | null,
) {
  const pages: PullResponse[] = [];
  const sizes: number[] = [];
  for (;;) {
    const response = await fetch(client.baseUrl + PROTOCOL_PATHS.pull, {
      method: 'POST',
      headers: client.headers(),
      body: JSON.stringify({ collection, checkpoint, windowSize }),
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    sizes.push(Buffer.byteLength(text));
    const page = JSON.parse(text) as PullResponse;
    pages.push(page);
    checkpoint = page.checkpoint;
    if (!page.moreAvailable) return { pages, sizes, checkpoint };
  }
}

describe('pages bounded by bytes as well as by count', () => {
  let server: TestServer;
  let client: RawProtocolClient;
  const records = 12;

  beforeAll(async () => {
    server = await startTestServer({ maxValueBytes: 2 * MB, maxPageBytes: 4 * MB });
    client = new RawProtocolClient(server.url, (await server.admin.createUser('u')).token);
    // About 1 MB each, not compressible to nothing (the budget counts JSON bytes, not stored bytes).
    for (let i = 0; i < records; i++) {
      const blob = Buffer.alloc(MB * 0.75, i)
        .toString('base64')
        .slice(0, MB - 100);
      await server.admin.putRecord('work_orders', `r${String(i).padStart(3, '0')}`, { i, blob }, 'u');
    }
  }, 120_000);
  afterAll(() => server?.close());

  it('serves 1 MB records with a window of 1,000 in pages within the byte budget, every record once', async () => {
    const { pages, sizes, checkpoint } = await pullSized(client, 'work_orders', 1000, null);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(4 * MB + 4096);
    expect(pages.flatMap((p) => p.changes.map((c) => c.id))).toEqual(
      Array.from({ length: records }, (_, i) => `r${String(i).padStart(3, '0')}`),
    );
    // Snapshot pages still tile the id space: each starts where the previous one ended.
    for (const [i, page] of pages.entries()) {
      expect(page.range?.after).toBe(i === 0 ? null : pages[i - 1]!.range?.until);
    }
    expect(pages.at(-1)?.range?.until).toBeNull();

    // Changes mode: every record rewritten, read back within the budget too.
    for (let i = 0; i < records; i++) {
      const id = `r${String(i).padStart(3, '0')}`;
      const old = (await server.admin.getRecord('work_orders', id, 'u'))!.value as { blob: string };
      await server.admin.putRecord('work_orders', id, { i, blob: old.blob, again: true }, 'u');
    }
    const changes = await pullSized(client, 'work_orders', 1000, checkpoint);
    expect(changes.pages.length).toBeGreaterThanOrEqual(3);
    for (const size of changes.sizes) expect(size).toBeLessThanOrEqual(4 * MB + 4096);
    const state = applyPages(changes.pages);
    expect(state.size).toBe(records);
    expect([...state.values()].every((v) => (v as { again?: boolean }).again === true)).toBe(true);
  });
});

describe('the byte budget of rows written by bulk SQL', () => {
  it('counts the size of values that were stored without one', async () => {
    const server = await startTestServer({ maxPageBytes: 4096 });
    try {
      const client = new RawProtocolClient(server.url, (await server.admin.createUser('u')).token);
      await seedServiceTypes(server.db, 30); // about 1,065 bytes of JSON each
      const { pages, sizes } = await pullSized(client, 'service_types', 1000, null);
      expect(pages.flatMap((p) => p.changes)).toHaveLength(30);
      expect(pages.length).toBeGreaterThanOrEqual(8);
      for (const size of sizes) expect(size).toBeLessThanOrEqual(4096 + 1500);
    } finally {
      await server.close();
    }
  });

  it('always serves at least one change, even one larger than the budget', async () => {
    const server = await startTestServer({ maxPageBytes: 1024 });
    try {
      const client = new RawProtocolClient(server.url, (await server.admin.createUser('u')).token);
      await server.admin.putRecord('work_orders', 'big', { blob: 'x'.repeat(5000) }, 'u');
      await server.admin.putRecord('work_orders', 'small', { n: 1 }, 'u');
      const { pages } = await pullSized(client, 'work_orders', 10, null);
      expect(pages.map((p) => p.changes.map((c) => c.id))).toEqual([['big'], ['small']]);
    } finally {
      await server.close();
    }
  });
});
