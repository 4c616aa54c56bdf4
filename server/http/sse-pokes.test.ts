import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PROTOCOL_PATHS } from '../../src/protocol/version.js';
import { RawProtocolClient } from '../../test/server/raw-protocol-client.js';
import { startTestServer, type TestServer } from '../../test/server/test-server.js';

let server: TestServer;
let alice: { token: string };
let bob: { token: string };

beforeAll(async () => {
  server = await startTestServer({ heartbeatMs: 50 });
  alice = await server.admin.createUser('alice');
  bob = await server.admin.createUser('bob');
});
afterAll(() => server?.close());

/** Opens `/v1/events` over fetch (as the SDK does) and collects its events. */
async function listen(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (e) => events.push(e) });
  const reading = (async () => {
    const decoder = new TextDecoder();
    const reader = response.body!.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } catch {
      // aborted
    }
  })();
  return {
    response,
    events,
    /** Resolves when the stream ends, whoever ended it. */
    ended: reading,
    pokes: () => events.filter((e) => e.event === 'poke').map((e) => JSON.parse(e.data)),
    async close() {
      controller.abort();
      await reading;
    },
  };
}

const sseHeaders = (token: string) => ({ authorization: `Bearer ${token}`, 'X-Schema-Version': '1' });

describe('GET /v1/events', () => {
  it("pokes a client when another client's push changes a collection it can see, and only then", async () => {
    const aliceEvents = await listen(server.url + PROTOCOL_PATHS.events, sseHeaders(alice.token));
    const bobEvents = await listen(server.url + PROTOCOL_PATHS.events, sseHeaders(bob.token));
    try {
      expect(aliceEvents.response.headers.get('content-type')).toContain('text/event-stream');
      expect(aliceEvents.response.headers.get('x-sync-protocol')).toBe('1');
      await vi.waitFor(() => expect(aliceEvents.events[0]?.event).toBe('hello'));
      await vi.waitFor(() => expect(bobEvents.events[0]?.event).toBe('hello'));
      expect(JSON.parse(aliceEvents.events[0]!.data)).toEqual({ protocolVersion: 1, heartbeatMs: 50 });

      const phone = new RawProtocolClient(server.url, alice.token);
      const { body } = await phone.push({
        clientId: 'alice-phone',
        mutations: [
          { mutationId: 1, collection: 'work_orders', id: 'w1', op: 'put', baseRev: null, value: {} },
        ],
      });
      const rev = Number((body.results[0] as { rev: string }).rev);
      await vi.waitFor(() => expect(aliceEvents.pokes()).toEqual([{ collection: 'work_orders', seq: rev }]));
      // A shared collection pokes everyone.
      await server.admin.putRecord('service_types', 'st-1', { name: 'x' });
      await vi.waitFor(() => expect(bobEvents.pokes()).toEqual([{ collection: 'service_types', seq: 1 }]));
      // Bob never heard of Alice's work orders.
      expect(bobEvents.pokes().some((p) => p.collection === 'work_orders')).toBe(false);
      await vi.waitFor(() => expect(aliceEvents.events.some((e) => e.event === 'heartbeat')).toBe(true));
    } finally {
      await aliceEvents.close();
      await bobEvents.close();
    }
    await vi.waitFor(() => expect(server.connections().sse).toBe(0));
    const closed = server.logs.filter((l) => l.path === PROTOCOL_PATHS.events);
    expect(closed).toHaveLength(2);
  });

  it('accepts the token and schema version as query parameters for EventSource, and never logs them', async () => {
    const url = `${server.url}${PROTOCOL_PATHS.events}?token=${encodeURIComponent(alice.token)}&schemaVersion=1`;
    const events = await listen(url, {});
    try {
      expect(events.response.status).toBe(200);
      await vi.waitFor(() => expect(events.events[0]?.event).toBe('hello'));
    } finally {
      await events.close();
    }
    await vi.waitFor(() => expect(server.connections().sse).toBe(0));
    expect(JSON.stringify(server.logs)).not.toContain(alice.token);
  });

  it('refuses a stream without a valid token with 401', async () => {
    const response = await fetch(server.url + PROTOCOL_PATHS.events, { headers: sseHeaders('nope') });
    expect(response.status).toBe(401);
    expect((await response.json()).error.code).toBe('UNAUTHORIZED');
  });

  it('ends open streams when the server closes', async () => {
    const other = await startTestServer();
    const { token } = await other.admin.createUser('carol');
    const events = await listen(other.url + PROTOCOL_PATHS.events, sseHeaders(token));
    await vi.waitFor(() => expect(events.events[0]?.event).toBe('hello'));
    await other.close();
    // The stream ends by itself: the client is not aborting it.
    await events.ended;
    expect(other.connections().sse).toBe(0);
  });
});
