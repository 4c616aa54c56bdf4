import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_PATHS } from '../../src/protocol/version.js';
import { RawProtocolClient } from '../../test/server/raw-protocol-client.js';
import { startTestServer, type TestServer } from '../../test/server/test-server.js';

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startTestServer();
  ({ token } = await server.admin.createUser('alice'));
  await server.admin.putRecord('work_orders', 'w1', { note: 'secret-content-1' }, 'alice');
  await server.admin.putRecord('work_orders', 'w2', { note: 'secret-content-2' }, 'alice');
  await server.admin.putRecord('work_orders', 'w3', { note: 'secret-content-3' }, 'alice');
});
afterAll(() => server?.close());

const lineOf = (path: string) => server.logs.filter((l) => l.path === path).at(-1)!;

describe('request log', () => {
  it('writes one line per pull with FETCH and DELETE counts and a timing breakdown', async () => {
    const client = new RawProtocolClient(server.url, token);
    const first = await client.pull({ collection: 'work_orders', checkpoint: null, windowSize: 10 });
    const line = lineOf(PROTOCOL_PATHS.pull);
    expect(line.msg).toMatch(
      /^POST \/v1\/pull 200 user=alice collection=work_orders CHANGE=0 DELETE=0 FETCH=3 total=[\d.]+ms db=[\d.]+ms other=[\d.]+ms$/,
    );
    const ms = line.ms as { total: number; db: number; other: number };
    expect(ms.db).toBeGreaterThan(0);
    expect(ms.total).toBeCloseTo(ms.db + ms.other, 5);

    await server.admin.deleteRecord('work_orders', 'w1', 'alice');
    await client.pull({ collection: 'work_orders', checkpoint: first.body.checkpoint, windowSize: 10 });
    expect(lineOf(PROTOCOL_PATHS.pull).counts).toEqual({
      change: 0,
      delete: 1,
      fetch: 0,
      conflict: 0,
      rejected: 0,
    });
  });

  it('writes one line per push with CHANGE and DELETE counts, conflicts and rejections', async () => {
    const client = new RawProtocolClient(server.url, token);
    const rev2 = String((await server.admin.getRecord('work_orders', 'w2', 'alice'))!.rev);
    await client.push({
      clientId: 'log-client',
      mutations: [
        {
          mutationId: 1,
          collection: 'work_orders',
          id: 'n1',
          op: 'put',
          baseRev: null,
          value: { note: 'secret-content-4' },
        },
        { mutationId: 2, collection: 'work_orders', id: 'w2', op: 'delete', baseRev: rev2 },
        { mutationId: 3, collection: 'work_orders', id: 'w3', op: 'put', baseRev: '999', value: {} },
        { mutationId: 4, collection: 'service_types', id: 's', op: 'put', baseRev: null, value: {} },
      ],
    });
    const line = lineOf(PROTOCOL_PATHS.push);
    expect(line.msg).toMatch(
      /^POST \/v1\/push 200 user=alice collection=work_orders,service_types CHANGE=1 DELETE=1 FETCH=0 conflicts=1 rejected=1 total=/,
    );
    // A retry writes nothing, so it counts no CHANGE or DELETE.
    await client.push({
      clientId: 'log-client',
      mutations: [
        {
          mutationId: 1,
          collection: 'work_orders',
          id: 'n1',
          op: 'put',
          baseRev: null,
          value: { note: 'secret-content-4' },
        },
      ],
    });
    expect(lineOf(PROTOCOL_PATHS.push).msg).toMatch(/ CHANGE=0 DELETE=0 FETCH=0 total=/);
  });

  it('logs failures with their code and never logs tokens or record contents', async () => {
    await new RawProtocolClient(server.url, 'wrong-token-value').pull({
      collection: 'work_orders',
      checkpoint: null,
      windowSize: 1,
    });
    expect(lineOf(PROTOCOL_PATHS.pull).msg).toMatch(/^POST \/v1\/pull 401 UNAUTHORIZED CHANGE=0/);
    const controller = new AbortController();
    const response = await fetch(`${server.url}${PROTOCOL_PATHS.events}?token=${token}&schemaVersion=1`, {
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    controller.abort();
    await fetch(`${server.url}/nowhere?token=${token}`);
    const all = JSON.stringify(server.logs);
    expect(all).not.toContain(token);
    expect(all).not.toContain('wrong-token-value');
    expect(all).not.toContain('secret-content');
    expect(lineOf('/nowhere').msg).toMatch(/^GET \/nowhere 404 NOT_FOUND/);
  });
});
