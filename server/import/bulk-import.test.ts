import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawProtocolClient } from '../../test/server/raw-protocol-client.js';
import { startTestServer, type TestServer } from '../../test/server/test-server.js';

const ADMIN = 'admin-token-for-import-tests-0123';
let server: TestServer;
let client: RawProtocolClient;

beforeAll(async () => {
  server = await startTestServer({
    adminToken: ADMIN,
    collections: [
      { name: 'cities', scope: 'shared', readOnly: true, key: 'cityId' },
      { name: 'notes', scope: 'user' },
    ],
  });
  client = new RawProtocolClient(server.url, (await server.admin.createUser('alice')).token);
});
afterAll(() => server?.close());

const city = (i: number, name = `City ${i}`) => ({ cityId: 10_000 + i, name, country: 'CH' });

/** POSTs `text` to the import endpoint as a stream of small chunks, as a big file would arrive. */
function postImport(path: string, text: string, contentType: string) {
  const bytes = new TextEncoder().encode(text);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 4096) controller.enqueue(bytes.slice(i, i + 4096));
      controller.close();
    },
  });
  return fetch(`${server.url}/admin/import/${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': contentType },
    body,
    duplex: 'half',
  } as RequestInit);
}

describe('bulk import', () => {
  it('streams NDJSON into a collection at one revision per record, which clients then pull incrementally', async () => {
    const before = await client.pullAll('cities'); // a client that synced before the import
    const ndjson = Array.from({ length: 1200 }, (_, i) => JSON.stringify(city(i))).join('\n');
    const response = await postImport('cities', ndjson, 'application/x-ndjson');
    expect(response.status).toBe(200);
    const result = (await response.json()) as { imported: number; firstRev: number; lastRev: number };
    expect(result).toMatchObject({ imported: 1200, batches: 1 });
    expect(result.lastRev - result.firstRev + 1).toBe(1200);

    const { pages } = await client.pullAll('cities', { checkpoint: before.checkpoint, windowSize: 500 });
    expect(pages.map((p) => [p.mode, p.changes.length])).toEqual([
      ['changes', 500],
      ['changes', 500],
      ['changes', 200],
    ]);
    const ids = pages.flatMap((p) => p.changes.map((c) => c.id));
    expect(new Set(ids).size).toBe(1200);
    expect(pages[0]!.changes[0]).toMatchObject({ id: '10000', op: 'put', value: city(0) });
  });

  it('overwrites records of the same id when imported again, in batches announced as they commit', async () => {
    const progress: number[] = [];
    const result = await server.admin.importRecords(
      'cities',
      Array.from({ length: 1200 }, (_, i) => city(i, `Renamed ${i}`)),
      { batchSize: 500, onProgress: (p) => progress.push(p.imported) },
    );
    expect(progress).toEqual([500, 1000, 1200]);
    expect(result.batches).toBe(3);
    expect(await server.admin.countRecords('cities')).toBe(1200);
    expect((await server.admin.getRecord('cities', '10007'))?.value).toMatchObject({ name: 'Renamed 7' });
  });

  it('reads CSV and JSON arrays, and imports per-user records for their owner', async () => {
    const csv = await postImport('cities', 'cityId,name,country\n20001,"Biel, Bienne",CH\n', 'text/csv');
    expect(await csv.json()).toMatchObject({ imported: 1 });
    expect((await server.admin.getRecord('cities', '20001'))?.value).toEqual({
      cityId: 20001,
      name: 'Biel, Bienne',
      country: 'CH',
    });
    const json = await postImport(
      'notes?owner=alice&format=json',
      JSON.stringify([{ id: 'n1', text: 'hello' }]),
      'application/octet-stream',
    );
    expect(await json.json()).toMatchObject({ imported: 1 });
    const { pages } = await client.pullAll('notes');
    expect(pages.flatMap((p) => p.changes)).toMatchObject([{ id: 'n1', value: { text: 'hello' } }]);
  });

  it('stops at a record without a valid id, saying which one, with the batches before it committed', async () => {
    const records = [
      ...Array.from({ length: 5000 }, (_, i) => city(30_000 + i)),
      { name: 'no id' },
      city(40_000),
    ];
    const response = await postImport('cities', records.map((r) => JSON.stringify(r)).join('\n'), 'x/ndjson');
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string; details: unknown } };
    expect(body.error).toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringMatching(/^record 5001: field "cityId" must hold the record id/),
      details: { imported: 5000 },
    });
    expect(await server.admin.getRecord('cities', '44999')).not.toBeNull();
    expect(await server.admin.getRecord('cities', '50000')).toBeNull();

    const unstorable = await postImport(
      'cities',
      JSON.stringify({ cityId: 1, name: 'a\u0000b' }),
      'x/ndjson',
    );
    expect(await unstorable.json()).toMatchObject({
      error: { code: 'INVALID_REQUEST', message: expect.stringMatching(/^record 1 \(id "1"\): .*NUL/) },
    });

    const malformed = await postImport('cities', '{"cityId":1}\n{oops\n', 'application/x-ndjson');
    expect(await malformed.json()).toMatchObject({
      error: { code: 'INVALID_REQUEST', message: expect.stringMatching(/^line 2: /) },
    });
  });
});
