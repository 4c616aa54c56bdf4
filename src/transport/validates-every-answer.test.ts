import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ScriptedHttpServer,
  sendJson,
  startScriptedHttpServer,
} from '../../test/transport/scripted-http-server.js';
import { isIdbSyncError } from '../errors/idb-sync-error.js';

import type { PullRequest, PullResponse, PushRequest } from '../protocol/messages.js';
import { createHttpTransport, type HttpSyncTransport } from './http-transport.js';

const pullRequest: PullRequest = { collection: 'work_orders', checkpoint: null, windowSize: 2 };
const validPage: PullResponse = {
  protocolVersion: 1,
  collection: 'work_orders',
  mode: 'snapshot',
  changes: [
    { id: 'a', rev: '1', op: 'put', value: { title: 'first' } },
    { id: 'b', rev: '2', op: 'delete' },
  ],
  checkpoint: 'cp-1',
  moreAvailable: false,
  windowSize: 2,
  range: { after: null, until: null },
  total: 1,
};
const pushRequest: PushRequest = {
  clientId: 'client-1',
  mutations: [
    { mutationId: 1, collection: 'work_orders', id: 'a', op: 'put', baseRev: null, value: { title: 'x' } },
    { mutationId: 2, collection: 'work_orders', id: 'b', op: 'delete', baseRev: '2' },
  ],
};

async function pullFailure(transport: HttpSyncTransport): Promise<unknown> {
  return transport.pull(pullRequest).then(
    (value) => ({ resolvedWith: value }),
    (error: unknown) => error,
  );
}

describe.runIf(globalThis.__IDB_BACKEND__ === 'fake-indexeddb')('HTTP transport answer validation', () => {
  let server: ScriptedHttpServer;
  let transport: HttpSyncTransport;

  beforeEach(async () => {
    server = await startScriptedHttpServer((_req, res) => sendJson(res, 200, validPage));
    transport = createHttpTransport({ baseUrl: server.url, schemaVersion: 1, retry: { requestRetries: 0 } });
  });
  afterEach(() => server.close());

  it('returns a valid page as parsed and sends the schema version', async () => {
    await expect(transport.pull(pullRequest)).resolves.toEqual(validPage);
    expect(server.requests[0]?.path).toBe('/v1/pull');
    expect(server.requests[0]?.headers['x-schema-version']).toBe('1');
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual(pullRequest);
  });

  it('refuses malformed JSON (a truncated body) as not-json', async () => {
    server.script((_req, res) => sendJson(res, 200, JSON.stringify(validPage).slice(0, 40)));
    const error = await pullFailure(transport);
    expect(isIdbSyncError(error, 'INVALID_RESPONSE') && error.problem).toBe('not-json');
  });

  it('refuses an HTML page served with a success status (captive portal, proxy login)', async () => {
    server.script((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><html><body><h1>Please sign in to the Wi-Fi</h1></body></html>');
    });
    const error = await pullFailure(transport);
    expect(isIdbSyncError(error, 'INVALID_RESPONSE')).toBe(true);
    expect(error).toMatchObject({ problem: 'not-json', status: 200, endpoint: '/v1/pull' });
    expect(String(error)).not.toContain('Wi-Fi');
  });

  it('refuses missing fields and wrong types, naming where without quoting values', async () => {
    const { checkpoint: _dropped, ...missing } = validPage;
    server.script((_req, res) => sendJson(res, 200, missing));
    const missingError = await pullFailure(transport);
    expect(isIdbSyncError(missingError, 'INVALID_RESPONSE') && missingError.problem).toBe('schema');
    expect(
      isIdbSyncError(missingError, 'INVALID_RESPONSE') && missingError.issues.map((i) => i.path),
    ).toEqual([['checkpoint']]);

    const secret = 'secret-record-content';
    server.script((_req, res) =>
      sendJson(res, 200, {
        ...validPage,
        changes: [{ id: 'a', rev: 7, op: 'put', value: { title: secret } }],
      }),
    );
    const typeError = await pullFailure(transport);
    expect(isIdbSyncError(typeError, 'INVALID_RESPONSE') && typeError.issues[0]?.path).toEqual([
      'changes',
      0,
      'rev',
    ]);
    // zod/mini has no message texts: the issue still says what was expected.
    expect(isIdbSyncError(typeError, 'INVALID_RESPONSE') && typeError.issues[0]?.message).toBe(
      'Invalid input: expected string',
    );
    expect(JSON.stringify(typeError) + String(typeError)).not.toContain(secret);
  });

  it('refuses a put change without a value', async () => {
    server.script((_req, res) =>
      sendJson(res, 200, { ...validPage, changes: [{ id: 'a', rev: '1', op: 'put' }] }),
    );
    const error = await pullFailure(transport);
    expect(isIdbSyncError(error, 'INVALID_RESPONSE') && error.problem).toBe('schema');
  });

  it('refuses an oversized page: more changes than the window asked for', async () => {
    const changes = ['a', 'b', 'c'].map((id) => ({ id, rev: '1', op: 'delete' as const }));
    server.script((_req, res) => sendJson(res, 200, { ...validPage, changes, windowSize: 3 }));
    const error = await pullFailure(transport);
    expect(isIdbSyncError(error, 'INVALID_RESPONSE') && error.problem).toBe('oversized-page');
  });

  it('refuses a page of another collection and another protocol version', async () => {
    server.script((_req, res) => sendJson(res, 200, { ...validPage, collection: 'customers' }));
    const other = await pullFailure(transport);
    expect(isIdbSyncError(other, 'INVALID_RESPONSE') && other.problem).toBe('mismatch');

    server.script((_req, res) => sendJson(res, 200, { ...validPage, protocolVersion: 2 }));
    const version = await pullFailure(transport);
    expect(isIdbSyncError(version, 'INVALID_RESPONSE') && version.problem).toBe('protocol-version');
  });

  it('refuses push results that do not answer each mutation in order', async () => {
    const applied = (mutationId: number) => ({ mutationId, status: 'applied', rev: String(mutationId) });
    server.script((_req, res) =>
      sendJson(res, 200, { protocolVersion: 1, results: [applied(1), applied(2)] }),
    );
    await expect(transport.push(pushRequest)).resolves.toEqual({
      protocolVersion: 1,
      results: [applied(1), applied(2)],
    });

    for (const results of [[applied(1)], [applied(2), applied(1)], [applied(1), applied(2), applied(3)]]) {
      server.script((_req, res) => sendJson(res, 200, { protocolVersion: 1, results }));
      const error = await transport.push(pushRequest).catch((e: unknown) => e);
      expect(isIdbSyncError(error, 'INVALID_RESPONSE') && error.problem).toBe('mismatch');
    }

    server.script((_req, res) =>
      sendJson(res, 200, { protocolVersion: 1, results: [applied(1), { mutationId: 2, status: 'maybe' }] }),
    );
    const unknownStatus = await transport.push(pushRequest).catch((e: unknown) => e);
    expect(isIdbSyncError(unknownStatus, 'INVALID_RESPONSE') && unknownStatus.problem).toBe('schema');
  });

  it('validates capabilities', async () => {
    const capabilities = {
      protocolVersion: 1,
      transports: ['poll', 'sse', 'websocket'],
      maxWindowSize: 1000,
      maxMutationsPerPush: 100,
      maxBodyBytes: 1_000_000,
      schemaVersions: { min: 1, minWritable: 1, max: 3 },
      collections: [{ name: 'work_orders', scope: 'user', readOnly: false }],
      tombstoneRetentionMs: 1000,
      heartbeatMs: 15_000,
    };
    server.script((_req, res) => sendJson(res, 200, capabilities));
    await expect(transport.capabilities()).resolves.toEqual(capabilities);
    expect(server.requests[0]).toMatchObject({ method: 'GET', path: '/v1/capabilities' });

    server.script((_req, res) => sendJson(res, 200, { ...capabilities, transports: 'all' }));
    const error = await transport.capabilities().catch((e: unknown) => e);
    expect(isIdbSyncError(error, 'INVALID_RESPONSE') && error.problem).toBe('schema');
  });
});
