import { firstValueFrom, from, take, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  helloAnswer,
  type ScriptedSocket,
  type ScriptedWsServer,
  startScriptedWsServer,
} from '../../test/transport/scripted-ws-server.js';
import { isIdbSyncError } from '../errors/idb-sync-error.js';

import { errorBody } from '../protocol/error-codes.js';
import type { PullRequest, PullResponse } from '../protocol/messages.js';
import { createWebSocketTransport, type WebSocketTransportOptions } from './web-socket-transport.js';

const pullOf = (collection: string): PullRequest => ({ collection, checkpoint: null, windowSize: 5 });
const pageOf = (collection: string): PullResponse => ({
  protocolVersion: 1,
  collection,
  mode: 'changes',
  changes: [],
  checkpoint: `cp-${collection}`,
  moreAvailable: false,
  windowSize: 5,
});
const answer = (message: Record<string, unknown>, connection: ScriptedSocket) => {
  const body = message['body'] as PullRequest;
  connection.send({ type: 'result', requestId: message['requestId'], body: pageOf(body.collection) });
};

describe.runIf(globalThis.__IDB_BACKEND__ === 'fake-indexeddb')('WebSocket transport', () => {
  let server: ScriptedWsServer;
  const transports: { close(): void }[] = [];

  beforeEach(async () => {
    server = await startScriptedWsServer((message, connection) => {
      if (!helloAnswer(message, connection)) answer(message, connection);
    });
  });
  afterEach(async () => {
    for (const transport of transports.splice(0)) transport.close();
    await server.close();
  });

  const make = (options: Partial<WebSocketTransportOptions> = {}) => {
    const transport = createWebSocketTransport({
      baseUrl: 'http://127.0.0.1:1',
      url: server.url,
      schemaVersion: 7,
      WebSocket,
      getToken: () => 'token-a',
      ...options,
    });
    transports.push(transport);
    return transport;
  };

  it('sends hello with the token and schema version in the message, never in the URL', async () => {
    await make().pull(pullOf('a'));
    const [connection] = server.connections;
    expect(connection?.received[0]).toEqual({ type: 'hello', token: 'token-a', schemaVersion: 7 });
    expect(connection?.socket.url ?? '').not.toContain('token');
  });

  it('matches answers to requests by id, whatever their order, on one socket', async () => {
    const held: [Record<string, unknown>, ScriptedSocket][] = [];
    server.script((message, connection) => {
      if (helloAnswer(message, connection)) return;
      held.push([message, connection]);
      if (held.length === 3) for (const [m, c] of held.reverse()) answer(m, c);
    });
    const transport = make();
    const pages = await Promise.all(['a', 'b', 'c'].map((c) => transport.pull(pullOf(c))));
    expect(pages.map((p) => p.collection)).toEqual(['a', 'b', 'c']);
    expect(server.connections).toHaveLength(1);
    const ids = server.connections[0]!.received.slice(1).map((m) => m['requestId']);
    expect(new Set(ids).size).toBe(3);
  });

  it('fails a request the server never answers with a NetworkError timeout', async () => {
    server.script((message, connection) => {
      helloAnswer(message, connection);
    });
    const error = await make({ requestTimeoutMs: 100, retry: { requestRetries: 0 } })
      .pull(pullOf('a'))
      .catch((e: unknown) => e);
    expect(isIdbSyncError(error, 'NETWORK_ERROR') && error.reason).toBe('timeout');
  });

  it('retries a request whose socket died on a new socket', async () => {
    let first = true;
    server.script((message, connection) => {
      if (helloAnswer(message, connection)) return;
      if (first) {
        first = false;
        connection.socket.terminate();
        return;
      }
      answer(message, connection);
    });
    const page = await make().pull(pullOf('a'));
    expect(page.collection).toBe('a');
    expect(server.connections).toHaveLength(2);
  });

  it('gives up with a NetworkError when every socket dies', async () => {
    server.script((message, connection) => {
      if (!helloAnswer(message, connection)) connection.socket.terminate();
    });
    const error = await make({ retry: { requestRetries: 1 } })
      .pull(pullOf('a'))
      .catch((e: unknown) => e);
    expect(isIdbSyncError(error, 'NETWORK_ERROR') && error.reason).toBe('connection-lost');
    expect(server.connections).toHaveLength(2);
  });

  it('refreshes the token once when the server closes the hello with 4401, then fails with AuthError', async () => {
    const tokens: string[] = [];
    server.script((message, connection) => {
      if (message['type'] === 'hello') {
        tokens.push(String(message['token']));
        if (message['token'] !== 'fresh') {
          connection.send({ type: 'error', body: errorBody('UNAUTHORIZED', 'unknown token') });
          connection.socket.close(4401, 'UNAUTHORIZED');
          return;
        }
        helloAnswer(message, connection);
        return;
      }
      answer(message, connection);
    });
    const refreshing = make({ getToken: ({ forceRefresh }) => (forceRefresh ? 'fresh' : 'stale') });
    await expect(refreshing.pull(pullOf('a'))).resolves.toMatchObject({ collection: 'a' });
    expect(tokens).toEqual(['stale', 'fresh']);

    const hopeless = make({ getToken: () => 'stale' });
    const error = await hopeless.pull(pullOf('a')).catch((e: unknown) => e);
    expect(isIdbSyncError(error, 'AUTH_FAILED')).toBe(true);
    expect(error).toMatchObject({ refreshed: true });
    expect(String(error) + JSON.stringify(error)).not.toContain('stale');
  });

  it('maps an error answer to its typed error and a garbled message to InvalidResponseError', async () => {
    server.script((message, connection) => {
      if (helloAnswer(message, connection)) return;
      connection.send({
        type: 'error',
        requestId: message['requestId'],
        body: errorBody('INTERNAL_ERROR', 'boom'),
      });
    });
    const transport = make({ retry: { requestRetries: 0 } });
    const failed = await transport.pull(pullOf('a')).catch((e: unknown) => e);
    expect(isIdbSyncError(failed, 'SERVER_ERROR')).toBe(true);
    expect(failed).toMatchObject({ status: 500, serverCode: 'INTERNAL_ERROR', retryable: true });

    server.script((message, connection) => {
      if (helloAnswer(message, connection)) return;
      connection.socket.send('<html>proxy error</html>');
    });
    const garbled = await transport.pull(pullOf('a')).catch((e: unknown) => e);
    expect(isIdbSyncError(garbled, 'INVALID_RESPONSE') && garbled.problem).toBe('not-json');

    server.script((message, connection) => {
      if (helloAnswer(message, connection)) return;
      connection.send({ type: 'result', requestId: message['requestId'], body: { ...pageOf('b') } });
    });
    const mismatch = await make({ retry: { requestRetries: 0 } })
      .pull(pullOf('a'))
      .catch((e: unknown) => e);
    expect(isIdbSyncError(mismatch, 'INVALID_RESPONSE') && mismatch.problem).toBe('mismatch');
  });

  it('streams pokes to event subscribers, from right after the handshake, and closes an idle socket', async () => {
    server.script((message, connection) => {
      // The poke follows the hello answer at once (same TCP segment, most likely).
      if (helloAnswer(message, connection))
        connection.send({ type: 'poke', collection: 'customers', seq: 1 });
    });
    const transport = make({ idleTimeoutMs: 50 });
    const events = await firstValueFrom(from(transport.events()).pipe(take(2), toArray()));
    expect(events).toEqual([
      { type: 'open', heartbeatMs: 60_000 },
      { type: 'poke', poke: { collection: 'customers', seq: 1 } },
    ]);
    // Nobody uses the socket any more: it closes after idleTimeoutMs.
    const connection = server.connections[0]!;
    if (connection.socket.readyState !== connection.socket.CLOSED) {
      await new Promise<void>((resolve) => connection.socket.once('close', () => resolve()));
    }
    expect(connection.socket.readyState).toBe(connection.socket.CLOSED);
  });
});
