import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PROTOCOL_HEADERS, PROTOCOL_PATHS } from '../../src/protocol/version.js';
import { startTestServer, type TestServer } from '../../test/server/test-server.js';

// Revoked tokens kept working on open WebSocket and SSE sessions (auth was checked once, at hello),
// and a socket that never said hello stayed open for good.

const adminToken = 'admin-token-for-tests-0123456789';
const servers: TestServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.close())));

async function start(options: Parameters<typeof startTestServer>[0]) {
  const server = await startTestServer(options);
  servers.push(server);
  return server;
}

/** A WebSocket session; `hello` resolves once the server accepted it. */
function socket(server: TestServer, token?: string) {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}${PROTOCOL_PATHS.ws}`);
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  const opened = new Promise<void>((resolve) => ws.once('open', () => resolve()));
  const hello = async () => {
    await opened;
    ws.send(JSON.stringify({ type: 'hello', token, schemaVersion: 1 }));
    await new Promise<void>((resolve) => ws.once('message', () => resolve()));
  };
  return { ws, closed, opened, hello };
}

/** An SSE stream; resolves once `hello` came. `ended` resolves when the server ends it. */
async function stream(server: TestServer, token: string) {
  const response = await fetch(server.url + PROTOCOL_PATHS.events, {
    headers: { authorization: `Bearer ${token}`, [PROTOCOL_HEADERS.schemaVersion]: '1' },
  });
  if (response.status !== 200) return { status: response.status, ended: Promise.resolve() };
  const reader = response.body!.getReader();
  await reader.read();
  const ended = (async () => {
    while (!(await reader.read()).done) {}
  })();
  return { status: 200, ended, cancel: () => reader.cancel() };
}

describe('revocation', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await start({ adminToken });
  });

  it('ends open WebSocket (4401) and SSE sessions at once when the admin route revokes the user', async () => {
    const { token } = await server.admin.createUser('rita');
    const ws = socket(server, token);
    await ws.hello();
    const sse = await stream(server, token);
    const revoked = await fetch(`${server.url}/admin/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'rita' }),
    });
    expect(await revoked.json()).toEqual({ revoked: 1 });
    expect(await ws.closed).toBe(4401);
    await sse.ended;
    expect((await stream(server, token)).status).toBe(401);
    expect(server.logs).toContainEqual(
      expect.objectContaining({ event: 'session-end', userId: 'rita', reason: 'revoked' }),
    );
  });

  it('revokes a single token, leaving the user’s other tokens working', async () => {
    const { token: first } = await server.admin.createUser('sam');
    const second = await server.admin.createToken('sam');
    const a = socket(server, first);
    const b = socket(server, second);
    await a.hello();
    await b.hello();
    const revoked = await fetch(`${server.url}/admin/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ token: first }),
    });
    expect(await revoked.json()).toEqual({ revoked: 1 });
    expect(await a.closed).toBe(4401);
    expect(b.ws.readyState).toBe(WebSocket.OPEN);
    b.ws.close();
  });
});

describe('re-checks, lifetime, hello deadline and caps', () => {
  it('re-checks tokens at an interval: a token an identity provider stops accepting ends the session', async () => {
    const valid = new Set(['jwt-of-tom']);
    let outage = false;
    const server = await start({
      authRecheckMs: 50,
      authenticate: async (token) => {
        if (outage) throw new Error('identity provider down');
        return valid.has(token) ? { userId: 'tom' } : null;
      },
    });
    const ws = socket(server, 'jwt-of-tom');
    await ws.hello();
    // An outage of the identity provider is not a logout: the session stays.
    outage = true;
    await expect
      .poll(() => server.logs.filter((e) => e.event === 'session-recheck').length, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(2);
    expect(ws.ws.readyState).toBe(WebSocket.OPEN);
    outage = false;
    valid.clear();
    expect(await ws.closed).toBe(4401);
  });

  it('ends sessions at the maximum lifetime (WebSocket 4408, SSE stream ended)', async () => {
    const server = await start({ maxSessionMs: 300 });
    const { token } = await server.admin.createUser('una');
    const ws = socket(server, token);
    await ws.hello();
    const sse = await stream(server, token);
    expect(await ws.closed).toBe(4408);
    await sse.ended;
  });

  it('closes a socket that sends no hello within the deadline, and caps live connections per user', async () => {
    const server = await start({ helloTimeoutMs: 200, maxConnectionsPerUser: 2 });
    const silent = socket(server);
    await silent.opened;
    expect(await silent.closed).toBe(4400);

    const { token } = await server.admin.createUser('vic');
    const first = await stream(server, token);
    const second = socket(server, token);
    await second.hello();
    const third = await stream(server, token);
    expect(third.status).toBe(429);
    const fourth = socket(server, token);
    await fourth.opened;
    fourth.ws.send(JSON.stringify({ type: 'hello', token, schemaVersion: 1 }));
    expect(await fourth.closed).toBe(4429);
    // A slot freed is a slot for the next one.
    second.ws.close();
    await second.closed;
    await expect.poll(async () => (await stream(server, token)).status).toBe(200);
    first.cancel?.();
  });
});
