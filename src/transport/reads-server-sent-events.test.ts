import { firstValueFrom, from, lastValueFrom, take, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ScriptedHttpServer,
  sendJson,
  startScriptedHttpServer,
} from '../../test/transport/scripted-http-server.js';
import { isIdbSyncError } from '../errors/idb-sync-error.js';

import { errorBody } from '../protocol/error-codes.js';
import { createHttpTransport } from './http-transport.js';
import type { GetToken, ServerEvent } from './sync-transport.js';

const hello = 'event: hello\ndata: {"protocolVersion":1,"heartbeatMs":15000}\n\n';
const poke = (collection: string, seq: number) =>
  `event: poke\ndata: ${JSON.stringify({ collection, seq })}\n\n`;

describe.runIf(globalThis.__IDB_BACKEND__ === 'fake-indexeddb')('SSE over fetch', () => {
  let server: ScriptedHttpServer;

  beforeEach(async () => {
    server = await startScriptedHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(hello + poke('work_orders', 1));
    });
  });
  afterEach(() => server.close());

  const transport = (getToken: GetToken = () => 'token-1') =>
    createHttpTransport({ baseUrl: server.url, schemaVersion: 2, getToken, retry: { requestRetries: 0 } });

  it('reads hello, pokes and heartbeats split across chunks, ignoring unknown events, with the auth header', async () => {
    server.script((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
      const text = `${hello}: comment\n\nevent: future-thing\ndata: {}\n\n${poke('customers', 7)}event: heartbeat\ndata: {"at":1}\n\n`;
      // Dribble the stream out in 7-byte pieces, cutting events and UTF-8 anywhere.
      const bytes = Buffer.from(text);
      for (let i = 0; i < bytes.length; i += 7) res.write(bytes.subarray(i, i + 7));
      res.end();
    });
    const events = await lastValueFrom(from(transport().events()).pipe(toArray()));
    expect(events).toEqual<ServerEvent[]>([
      { type: 'open', heartbeatMs: 15_000 },
      { type: 'poke', poke: { collection: 'customers', seq: 7 } },
      { type: 'heartbeat' },
    ]);
    expect(server.requests[0]).toMatchObject({ method: 'GET', path: '/v1/events' });
    expect(server.requests[0]?.headers).toMatchObject({
      authorization: 'Bearer token-1',
      accept: 'text/event-stream',
      'x-schema-version': '2',
    });
  });

  it('refuses an answer that is not an event stream', async () => {
    server.script((_req, res) => sendJson(res, 200, { hello: 'world' }));
    const error = await lastValueFrom(from(transport().events())).catch((e: unknown) => e);
    expect(isIdbSyncError(error, 'INVALID_RESPONSE') && error.problem).toBe('not-event-stream');
  });

  it('errors on a malformed poke instead of passing it on', async () => {
    server.script((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`${hello}event: poke\ndata: {"collection":"Not A Name!","seq":-1}\n\n`);
    });
    const seen: ServerEvent[] = [];
    const error = await new Promise<unknown>((resolve) => {
      transport()
        .events()
        .subscribe({ next: (event) => seen.push(event), error: resolve, complete: () => resolve(undefined) });
    });
    expect(isIdbSyncError(error, 'INVALID_RESPONSE') && error.problem).toBe('schema');
    expect(seen).toEqual([{ type: 'open', heartbeatMs: 15_000 }]);
  });

  it('refreshes the token once on 401, then fails with AuthError', async () => {
    server.script((req, res) => {
      if (req.headers.authorization === 'Bearer fresh') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(hello);
      } else sendJson(res, 401, errorBody('UNAUTHORIZED', 'no'));
    });
    const ok = await firstValueFrom(
      from(transport(({ forceRefresh }) => (forceRefresh ? 'fresh' : 'stale')).events()),
    );
    expect(ok).toEqual({ type: 'open', heartbeatMs: 15_000 });
    const error = await lastValueFrom(from(transport(() => 'stale').events())).catch((e: unknown) => e);
    expect(isIdbSyncError(error, 'AUTH_FAILED') && error.refreshed).toBe(true);
  });

  it('unsubscribing aborts the request; a stream cut mid-event is a lost connection', async () => {
    let closed!: () => void;
    const serverSawClose = new Promise<void>((resolve) => {
      closed = resolve;
    });
    server.script((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(hello);
      res.on('close', () => closed());
    });
    await firstValueFrom(from(transport().events()).pipe(take(1)));
    await serverSawClose;

    server.script((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`${hello}event: poke\ndata: {"coll`, () => res.destroy());
    });
    const error = await lastValueFrom(from(transport().events())).catch((e: unknown) => e);
    expect(isIdbSyncError(error, 'NETWORK_ERROR') && error.reason).toBe('connection-lost');
  });
});
