import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_PATHS } from '../../src/protocol/version.js';
import { RawProtocolClient } from '../../test/server/raw-protocol-client.js';
import { startTestServer, type TestServer } from '../../test/server/test-server.js';

let server: TestServer;
let client: RawProtocolClient;

beforeAll(async () => {
  server = await startTestServer({ maxBodyBytes: 4096, maxMutationsPerPush: 3 });
  client = new RawProtocolClient(server.url, (await server.admin.createUser('alice')).token);
  await server.admin.putRecord('work_orders', 'w1', { v: 1 }, 'alice');
});
afterAll(() => server?.close());

/** Everything a request could change. */
async function databaseState(): Promise<unknown> {
  const tables = ['records', 'collection_seq', 'clients', 'mutation_results'];
  const out: Record<string, unknown> = {};
  for (const t of tables) out[t] = (await server.db.query(`SELECT * FROM ${t} ORDER BY 1, 2`)).rows;
  return JSON.parse(JSON.stringify(out));
}

async function expectRefused(send: () => Promise<Response>, status: number, code: string) {
  const before = await databaseState();
  const response = await send();
  expect(response.status).toBe(status);
  expect(response.headers.get('x-sync-protocol')).toBe('1');
  const body = await response.json();
  expect(body).toMatchObject({ protocolVersion: 1, error: { code, message: expect.any(String) } });
  expect(await databaseState()).toEqual(before);
  return body;
}

const post =
  (path: string, body: string, headers: Record<string, string> = client.headers()) =>
  () =>
    fetch(server.url + path, { method: 'POST', headers, body });
const pullBody = (over: Record<string, unknown>) =>
  JSON.stringify({ collection: 'work_orders', checkpoint: null, windowSize: 10, ...over });
const goodMutation = {
  mutationId: 1,
  collection: 'work_orders',
  id: 'new',
  op: 'put',
  baseRev: null,
  value: {},
};
const pushBody = (mutations: unknown[]) => JSON.stringify({ clientId: 'c1', mutations });

describe('bad input', () => {
  it('answers malformed JSON with 400 MALFORMED_JSON', async () => {
    await expectRefused(post(PROTOCOL_PATHS.pull, '{"collection": '), 400, 'MALFORMED_JSON');
    await expectRefused(post(PROTOCOL_PATHS.push, 'not json'), 400, 'MALFORMED_JSON');
  });

  it('answers an unknown collection with 404 UNKNOWN_COLLECTION, applying nothing of the push', async () => {
    await expectRefused(
      post(PROTOCOL_PATHS.pull, pullBody({ collection: 'invoices' })),
      404,
      'UNKNOWN_COLLECTION',
    );
    await expectRefused(
      post(
        PROTOCOL_PATHS.push,
        pushBody([goodMutation, { ...goodMutation, mutationId: 2, collection: 'invoices' }]),
      ),
      404,
      'UNKNOWN_COLLECTION',
    );
  });

  it('answers wrong types with 400 INVALID_REQUEST and the paths of the problems', async () => {
    const body = await expectRefused(
      post(PROTOCOL_PATHS.pull, pullBody({ checkpoint: 42 })),
      400,
      'INVALID_REQUEST',
    );
    expect(body.error.details.issues).toEqual([{ path: 'checkpoint', message: expect.any(String) }]);
    await expectRefused(
      post(PROTOCOL_PATHS.pull, pullBody({ collection: 'Work Orders' })),
      400,
      'INVALID_REQUEST',
    );
    await expectRefused(post(PROTOCOL_PATHS.pull, '[]'), 400, 'INVALID_REQUEST');
    await expectRefused(
      post(PROTOCOL_PATHS.push, pushBody([{ ...goodMutation, mutationId: '1' }])),
      400,
      'INVALID_REQUEST',
    );
    await expectRefused(
      post(PROTOCOL_PATHS.push, pushBody([{ ...goodMutation, value: [1, 2] }])),
      400,
      'INVALID_REQUEST',
    );
    await expectRefused(
      post(PROTOCOL_PATHS.push, pushBody([{ ...goodMutation, op: 'upsert' }])),
      400,
      'INVALID_REQUEST',
    );
    await expectRefused(post(PROTOCOL_PATHS.push, JSON.stringify({ mutations: [] })), 400, 'INVALID_REQUEST');
    await expectRefused(
      post(
        PROTOCOL_PATHS.push,
        pushBody([
          { ...goodMutation, mutationId: 2 },
          { ...goodMutation, mutationId: 1 },
        ]),
      ),
      400,
      'INVALID_REQUEST',
    );
    await expectRefused(
      post(PROTOCOL_PATHS.push, pushBody([{ ...goodMutation, id: '' }])),
      400,
      'INVALID_REQUEST',
    );
  });

  it('answers a window size of 0, negative, fractional, huge or not a number with 400 INVALID_WINDOW_SIZE', async () => {
    for (const windowSize of [0, -5, 2.5, 1e12, '10', null]) {
      await expectRefused(post(PROTOCOL_PATHS.pull, pullBody({ windowSize })), 400, 'INVALID_WINDOW_SIZE');
    }
  });

  it('answers an oversized body, or too many mutations, with 413 PAYLOAD_TOO_LARGE', async () => {
    const big = JSON.stringify({
      clientId: 'c1',
      mutations: [{ ...goodMutation, value: { blob: 'x'.repeat(5000) } }],
    });
    await expectRefused(post(PROTOCOL_PATHS.push, big), 413, 'PAYLOAD_TOO_LARGE');
    const many = pushBody(
      [1, 2, 3, 4].map((mutationId) => ({ ...goodMutation, mutationId, id: `m${mutationId}` })),
    );
    await expectRefused(post(PROTOCOL_PATHS.push, many), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('answers a forged checkpoint with 400 INVALID_CHECKPOINT', async () => {
    const fake = `${Buffer.from(JSON.stringify({ v: 1, e: 'x', u: 'alice', c: 'work_orders', f: '', m: 'c', s: 0 })).toString('base64url')}.sig`;
    // Another epoch: the server cannot verify it and sends the client to a full sync, serving nothing.
    await expectRefused(post(PROTOCOL_PATHS.pull, pullBody({ checkpoint: fake })), 410, 'RESET_REQUIRED');
    await expectRefused(
      post(PROTOCOL_PATHS.pull, pullBody({ checkpoint: 'x'.repeat(40) })),
      400,
      'INVALID_CHECKPOINT',
    );
  });

  it('answers a missing schema version with 400 MISSING_SCHEMA_VERSION', async () => {
    const headers = client.headers();
    delete headers['X-Schema-Version'];
    await expectRefused(post(PROTOCOL_PATHS.pull, pullBody({}), headers), 400, 'MISSING_SCHEMA_VERSION');
  });

  it('answers unknown paths with 404 NOT_FOUND and wrong methods with 405 METHOD_NOT_ALLOWED', async () => {
    await expectRefused(() => fetch(`${server.url}/v2/pull`), 404, 'NOT_FOUND');
    await expectRefused(() => fetch(server.url + PROTOCOL_PATHS.pull), 405, 'METHOD_NOT_ALLOWED');
    await expectRefused(
      () => fetch(server.url + PROTOCOL_PATHS.push, { method: 'PUT', body: '{}' }),
      405,
      'METHOD_NOT_ALLOWED',
    );
  });
});
