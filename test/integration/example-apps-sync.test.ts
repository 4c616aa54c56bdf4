// Each example app of examples/ is started as a real process and the SDK syncs with it from Node
// (fake-indexeddb): over WebSocket for one installation, over HTTP for another, on 127.0.0.1.
import 'fake-indexeddb/auto';
import type { DBSchema } from 'idb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createSyncClient, defineDatabase } from '../../src/index.js';
import { createHttpTransport, createWebSocketTransport } from '../../src/transport/index.js';
import { EXAMPLES, exampleToken, type RunningExample, startExample } from '../examples/start-example.js';

interface FieldApp extends DBSchema {
  service_types: { key: string; value: { id: string; name: string } };
  work_orders: { key: string; value: { id: string; title: string; status: string } };
  customers: { key: string; value: { id: string; name: string } };
}

let databases = 0;
/** One installation of the field app for `token`, over WebSocket or HTTP. */
function install(example: RunningExample, token: string, over: 'websocket' | 'http') {
  databases += 1;
  const database = defineDatabase<FieldApp>({
    name: `example-app-${process.pid}-${databases}`,
    versions: [
      {
        version: 1,
        stores: {
          service_types: { keyPath: 'id', kind: 'lookup' },
          work_orders: { keyPath: 'id', kind: 'transactional' },
          customers: { keyPath: 'id', kind: 'transactional' },
        },
      },
    ],
  });
  const options = { baseUrl: example.syncUrl, schemaVersion: database.version, getToken: () => token };
  const socket = over === 'websocket' ? createWebSocketTransport({ ...options, WebSocket }) : undefined;
  const transport = socket ?? createHttpTransport(options);
  const client = createSyncClient({ database, transport, locks: null });
  return {
    database,
    client,
    async close() {
      await client.close();
      socket?.close();
      await database.close();
    },
  };
}

describe.each(EXAMPLES)('examples/%s', (name) => {
  let example: RunningExample;
  beforeAll(async () => {
    example = await startExample(name);
  }, 120_000);
  afterAll(async () => {
    await example?.stop();
  });

  it('serves its own routes beside the sync server, and the SDK syncs with it over WebSocket and HTTP', async () => {
    expect(await (await fetch(`${example.origin}/api/hello`)).json()).toEqual({
      hello: `from ${name === 'node-http' ? 'node:http' : name}`,
    });

    // Reference data written as the server, through the admin API of the mounted sync server.
    for (const [id, value] of [
      ['st-1', { name: 'Boiler service' }],
      ['st-2', { name: 'Gutter cleaning' }],
    ] as const) {
      const put = await fetch(`${example.syncUrl}/admin/records/service_types/${id}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${example.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ value }),
      });
      expect(put.status).toBe(200);
    }

    const alice = exampleToken(example, 'alice');
    const phone = install(example, alice, 'websocket');
    const laptop = install(example, alice, 'http');
    const bob = install(example, exampleToken(example, 'bob'), 'http');
    try {
      await phone.client.sync();
      expect((await phone.database.getAll('service_types')).map((s) => s.name)).toEqual([
        'Boiler service',
        'Gutter cleaning',
      ]);
      await phone.database.put('work_orders', { id: 'wo-1', title: 'Boiler', status: 'open' });
      const pushed = await phone.client.sync();
      expect(pushed.push).toMatchObject({ sent: 1, applied: 1 });

      await laptop.client.sync();
      expect(await laptop.database.get('work_orders', 'wo-1')).toMatchObject({ status: 'open' });
      await laptop.database.put('work_orders', { id: 'wo-1', title: 'Boiler', status: 'done' });
      await laptop.client.sync();

      await phone.client.sync();
      expect(await phone.database.get('work_orders', 'wo-1')).toMatchObject({ status: 'done' });

      // Per-user collections: bob sees the catalog, not alice's work orders.
      await bob.client.sync();
      expect(await bob.database.count('service_types')).toBe(2);
      expect(await bob.database.count('work_orders')).toBe(0);

      // A token the app did not sign is refused.
      const forged = await fetch(`${example.syncUrl}/v1/pull`, {
        method: 'POST',
        headers: { authorization: `Bearer ${alice}x`, 'x-schema-version': '1' },
        body: JSON.stringify({ collection: 'work_orders', checkpoint: null, windowSize: 10 }),
      });
      expect(forged.status).toBe(401);
    } finally {
      await phone.close();
      await laptop.close();
      await bob.close();
    }
    // The phone's pushes and pulls went over the WebSocket, the laptop's over HTTP.
    expect(example.output()).toMatch(/WS \S*\/v1\/ws#push 200 user=alice/);
    expect(example.output()).toMatch(/POST \/sync\/v1\/push 200 user=alice/);
    expect(await example.stop()).toBe(0);
  });
});
