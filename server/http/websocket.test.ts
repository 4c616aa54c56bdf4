import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { type WsServerMessage, wsServerMessageSchema } from '../../src/protocol/index.js';
import { PROTOCOL_PATHS } from '../../src/protocol/version.js';
import { RawProtocolClient } from '../../test/server/raw-protocol-client.js';
import { startTestServer, type TestServer } from '../../test/server/test-server.js';

let server: TestServer;
let alice: string;

beforeAll(async () => {
  server = await startTestServer({ heartbeatMs: 50 });
  alice = (await server.admin.createUser('alice')).token;
});
afterAll(() => server?.close());

/** A WebSocket session that records every server message. */
async function connect(options: { headers?: Record<string, string> } = {}) {
  const ws = new WebSocket(server.url.replace('http', 'ws') + PROTOCOL_PATHS.ws, {
    headers: options.headers ?? {},
  });
  const messages: WsServerMessage[] = [];
  const closed = new Promise<{ code: number }>((resolve) => ws.on('close', (code) => resolve({ code })));
  ws.on('message', (data) => messages.push(wsServerMessageSchema.parse(JSON.parse(data.toString()))));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    messages,
    closed,
    send: (message: unknown) => ws.send(JSON.stringify(message)),
    /** Waits for the answer to `requestId`. */
    async answer(requestId: string) {
      await vi.waitFor(() =>
        expect(
          messages.some((m) => (m.type === 'result' || m.type === 'error') && m.requestId === requestId),
        ).toBe(true),
      );
      return messages.find((m) => (m.type === 'result' || m.type === 'error') && m.requestId === requestId)!;
    },
  };
}

describe('/v1/ws', () => {
  it('authenticates with hello, then carries pull and push and pokes after another client writes', async () => {
    const session = await connect();
    try {
      session.send({ type: 'hello', token: alice, schemaVersion: 1 });
      await vi.waitFor(() =>
        expect(session.messages[0]).toEqual({ type: 'hello', protocolVersion: 1, heartbeatMs: 50 }),
      );

      session.send({
        type: 'push',
        requestId: 'p1',
        body: {
          clientId: 'ws-client',
          mutations: [
            { mutationId: 1, collection: 'work_orders', id: 'w1', op: 'put', baseRev: null, value: { a: 1 } },
          ],
        },
      });
      const pushed = await session.answer('p1');
      expect(pushed).toMatchObject({ type: 'result', body: { results: [{ status: 'applied' }] } });

      session.send({
        type: 'pull',
        requestId: 'q1',
        body: { collection: 'work_orders', checkpoint: null, windowSize: 10 },
      });
      const pulled = await session.answer('q1');
      expect(pulled).toMatchObject({
        type: 'result',
        body: { mode: 'snapshot', changes: [{ id: 'w1', op: 'put', value: { a: 1 } }] },
      });

      // Another client (over HTTP) writes: this session is poked.
      await new RawProtocolClient(server.url, alice).push({
        clientId: 'http-client',
        mutations: [
          { mutationId: 1, collection: 'customers', id: 'c1', op: 'put', baseRev: null, value: {} },
        ],
      });
      await vi.waitFor(() =>
        expect(session.messages.filter((m) => m.type === 'poke')).toContainEqual({
          type: 'poke',
          collection: 'customers',
          seq: 1,
        }),
      );
      await vi.waitFor(() => expect(session.messages.some((m) => m.type === 'heartbeat')).toBe(true));
    } finally {
      session.ws.close();
      await session.closed;
    }
    await vi.waitFor(() => expect(server.connections().ws).toBe(0));
  });

  it('answers a bad request with an error for that request and keeps the session', async () => {
    const session = await connect({ headers: { authorization: `Bearer ${alice}` } });
    try {
      session.send({ type: 'hello', schemaVersion: 1 });
      await vi.waitFor(() => expect(session.messages[0]?.type).toBe('hello'));
      session.send({
        type: 'pull',
        requestId: 'bad',
        body: { collection: 'nope', checkpoint: null, windowSize: 10 },
      });
      expect(await session.answer('bad')).toMatchObject({
        type: 'error',
        body: { error: { code: 'UNKNOWN_COLLECTION' } },
      });
      session.send({
        type: 'pull',
        requestId: 'ok',
        body: { collection: 'customers', checkpoint: null, windowSize: 10 },
      });
      expect((await session.answer('ok')).type).toBe('result');
    } finally {
      session.ws.close();
      await session.closed;
    }
  });

  it('closes with 4401 on a bad token, 4426 on an unaccepted schema version, 4400 on anything before hello', async () => {
    const cases = [
      [{ type: 'hello', token: 'wrong', schemaVersion: 1 }, 4401, 'UNAUTHORIZED'],
      [{ type: 'hello', token: alice, schemaVersion: 0 }, 4426, 'UPGRADE_REQUIRED'],
      [
        { type: 'pull', requestId: 'x', body: { collection: 'customers', checkpoint: null, windowSize: 1 } },
        4400,
        'UNAUTHORIZED',
      ],
      ['not json', 4400, 'MALFORMED_JSON'],
    ] as const;
    for (const [message, closeCode, errorCode] of cases) {
      const session = await connect();
      if (typeof message === 'string') session.ws.send(message);
      else session.send(message);
      expect((await session.closed).code).toBe(closeCode);
      expect(session.messages).toEqual([
        {
          type: 'error',
          body: expect.objectContaining({ error: expect.objectContaining({ code: errorCode }) }),
        },
      ]);
    }
  });

  it('closes sessions with 1001 when the server shuts down', async () => {
    const other = await startTestServer();
    const { token } = await other.admin.createUser('bob');
    const ws = new WebSocket(other.url.replace('http', 'ws') + PROTOCOL_PATHS.ws);
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ type: 'hello', token, schemaVersion: 1 }));
    await new Promise((resolve) => ws.once('message', resolve));
    await other.close();
    expect(await closed).toBe(1001);
  });
});
