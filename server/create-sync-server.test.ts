import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { PROTOCOL_PATHS } from '../src/protocol/version.js';
import { RawProtocolClient } from '../test/server/raw-protocol-client.js';
import { createSyncServer, type SyncServer } from './create-sync-server.js';
import { pgliteStorage } from './storage/pglite-storage.js';

// The library form: a fetch handler, a Node listener mounted under a base path beside the app's own
// routes, and WebSocket attached beside the app's own WebSocket endpoint.
let sync: SyncServer;
let server: Server;
let base: string;
let token: string;
const appSockets = new WebSocketServer({ noServer: true });

beforeAll(async () => {
  sync = await createSyncServer({
    storage: pgliteStorage(),
    collections: [{ name: 'notes', scope: 'user', readOnly: false }],
    basePath: '/sync',
    heartbeatMs: 50,
    logger: () => {},
  });
  ({ token } = await sync.admin.createUser('alice'));
  server = createServer((req, res) =>
    sync.nodeHandler(req, res, () => {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('the app');
    }),
  );
  sync.attach(server);
  // The app's own WebSocket endpoint, on the same server.
  server.on('upgrade', (req, socket, head) => {
    if (req.url !== '/app-ws') return;
    appSockets.handleUpgrade(req, socket, head, (ws) => ws.send('app hello'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sync`;
});
afterAll(async () => {
  await sync?.close();
  appSockets.close();
  await new Promise((resolve) => server?.close(resolve));
});

const push = (id: string, mutationId: number) =>
  new RawProtocolClient(base, token).push({
    clientId: 'c1',
    mutations: [{ mutationId, collection: 'notes', id, op: 'put', baseRev: null, value: { text: id } }],
  });

describe('createSyncServer', () => {
  it('answers plain Requests through its fetch handler, without any HTTP server', async () => {
    const response = await sync.fetch(new Request('http://any.host/sync/v1/capabilities'));
    expect(response.status).toBe(200);
    expect(response.headers.get('x-sync-protocol')).toBe('1');
    expect(await response.json()).toMatchObject({ collections: [{ name: 'notes', scope: 'user' }] });
    const outside = await sync.fetch(new Request('http://any.host/v1/capabilities'));
    expect(outside.status).toBe(404);
  });

  it('serves pull and push under its base path and leaves other paths to the app', async () => {
    expect((await push('n1', 1)).body.results).toMatchObject([{ status: 'applied' }]);
    const { pages } = await new RawProtocolClient(base, token).pullAll('notes');
    expect(pages.flatMap((p) => p.changes.map((c) => c.id))).toEqual(['n1']);
    const app = await fetch(base.replace('/sync', '/elsewhere'));
    expect(await app.text()).toBe('the app');
  });

  it('streams Server-Sent Events through the Node listener and pokes on a push', async () => {
    const controller = new AbortController();
    const response = await fetch(base + PROTOCOL_PATHS.events, {
      headers: { authorization: `Bearer ${token}`, 'x-schema-version': '1' },
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    let text = '';
    const read = (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          text += new TextDecoder().decode(value);
        }
      } catch {
        // aborted
      }
    })();
    await vi.waitFor(() => expect(text).toContain('event: hello'));
    await push('n2', 2);
    await vi.waitFor(() => expect(text).toContain('"collection":"notes"'));
    expect(sync.connections().sse).toBe(1);
    controller.abort();
    await read;
    await vi.waitFor(() => expect(sync.connections().sse).toBe(0));
  });

  it('serves WebSocket at the base path beside the app’s own WebSocket endpoint', async () => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}${PROTOCOL_PATHS.ws}`);
    const messages: unknown[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(data.toString())));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send(JSON.stringify({ type: 'hello', token, schemaVersion: 1 }));
    await vi.waitFor(() => expect(messages[0]).toMatchObject({ type: 'hello', protocolVersion: 1 }));
    expect(sync.connections().ws).toBe(1);
    ws.close();

    const appWs = new WebSocket(`${base.replace('http', 'ws').replace('/sync', '')}/app-ws`);
    const first = await new Promise<string>((resolve, reject) =>
      appWs.once('message', (data) => resolve(data.toString())).once('error', reject),
    );
    expect(first).toBe('app hello');
    appWs.close();
  });
});
