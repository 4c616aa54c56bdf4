import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ScriptedHttpServer,
  sendJson,
  startScriptedHttpServer,
} from '../../test/transport/scripted-http-server.js';
import { isIdbSyncError } from '../errors/idb-sync-error.js';

import { errorBody } from '../protocol/error-codes.js';
import type { PullRequest } from '../protocol/messages.js';
import { createHttpTransport } from './http-transport.js';

const pullRequest: PullRequest = { collection: 'work_orders', checkpoint: 'cp-old', windowSize: 50 };
const page = {
  protocolVersion: 1,
  collection: 'work_orders',
  mode: 'changes',
  changes: [],
  checkpoint: 'cp-2',
  moreAvailable: false,
  windowSize: 50,
};

describe.runIf(globalThis.__IDB_BACKEND__ === 'fake-indexeddb')('HTTP transport refusals', () => {
  let server: ScriptedHttpServer;

  beforeEach(async () => {
    server = await startScriptedHttpServer((_req, res) => sendJson(res, 200, page));
  });
  afterEach(() => server.close());

  const pullWith = (limit = 0, timeoutMs?: number) =>
    createHttpTransport({
      baseUrl: server.url,
      schemaVersion: 4,
      retry: { requestRetries: limit, initialMs: 1 },
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    })
      .pull(pullRequest)
      .catch((error: unknown) => error);

  it('RESET_REQUIRED becomes a ResetRequiredError naming the collection', async () => {
    server.script((_req, res) => sendJson(res, 410, errorBody('RESET_REQUIRED', 'checkpoint expired')));
    const error = await pullWith();
    expect(isIdbSyncError(error, 'RESET_REQUIRED') && error.collection).toBe('work_orders');
    expect(error).toMatchObject({ retryable: false, cause: { name: 'HTTPError' } });
  });

  it('UPGRADE_REQUIRED becomes an UpgradeRequiredError with what the version may still do', async () => {
    server.script((_req, res) =>
      sendJson(res, 426, errorBody('UPGRADE_REQUIRED', 'too old', { access: 'read-only', min: 5 })),
    );
    const error = await pullWith();
    expect(isIdbSyncError(error, 'UPGRADE_REQUIRED')).toBe(true);
    expect(error).toMatchObject({ schemaVersion: 4, access: 'read-only', endpoint: '/v1/pull' });
  });

  it('other 4xx codes become a RequestRejectedError with the server code and retryability', async () => {
    server.script((_req, res) => sendJson(res, 404, errorBody('UNKNOWN_COLLECTION', 'no such collection')));
    const unknown = await pullWith();
    expect(isIdbSyncError(unknown, 'REQUEST_REJECTED')).toBe(true);
    expect(unknown).toMatchObject({ status: 404, serverCode: 'UNKNOWN_COLLECTION', retryable: false });

    server.script((_req, res) => sendJson(res, 409, errorBody('SCHEMA_VERSION_TOO_NEW', 'server is behind')));
    const tooNew = await pullWith();
    expect(tooNew).toMatchObject({
      code: 'REQUEST_REJECTED',
      serverCode: 'SCHEMA_VERSION_TOO_NEW',
      retryable: true,
    });

    // A code a newer server added is passed through, not refused.
    server.script((_req, res) =>
      sendJson(res, 422, { protocolVersion: 1, error: { code: 'NEW_CODE', message: '' } }),
    );
    expect(await pullWith()).toMatchObject({
      code: 'REQUEST_REJECTED',
      serverCode: 'NEW_CODE',
      retryable: false,
    });
  });

  it('a 4xx without a protocol error body (a wrong baseUrl answering HTML) is an InvalidResponseError', async () => {
    server.script((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<html>Not Found</html>');
    });
    const error = await pullWith();
    expect(isIdbSyncError(error, 'INVALID_RESPONSE')).toBe(true);
    expect(error).toMatchObject({ status: 404, problem: 'not-json' });
  });

  it('a 401 without getToken is an AuthError at once', async () => {
    server.script((_req, res) => sendJson(res, 401, errorBody('UNAUTHORIZED', 'unknown token')));
    const error = await pullWith(2);
    expect(isIdbSyncError(error, 'AUTH_FAILED')).toBe(true);
    expect(error).toMatchObject({ status: 401, refreshed: false, retryable: false });
    expect(server.requests).toHaveLength(1);
  });

  it('5xx becomes a retryable ServerError after the retries, also for a proxy HTML page', async () => {
    server.script((_req, res) => sendJson(res, 500, errorBody('INTERNAL_ERROR', 'boom')));
    const error = await pullWith(2);
    expect(isIdbSyncError(error, 'SERVER_ERROR')).toBe(true);
    expect(error).toMatchObject({ status: 500, serverCode: 'INTERNAL_ERROR', retryable: true });
    expect(server.requests).toHaveLength(3);

    server.script((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body>Bad Gateway</body></html>');
    });
    const proxy = await pullWith();
    expect(proxy).toMatchObject({
      code: 'SERVER_ERROR',
      status: 502,
      serverCode: undefined,
      retryable: true,
    });
  });

  it('retries a 503 and succeeds when the server recovers', async () => {
    let calls = 0;
    server.script((_req, res) => {
      calls += 1;
      if (calls === 1)
        sendJson(res, 503, errorBody('SERVER_SCHEMA_OUTDATED', 'updating'), { 'retry-after': '0' });
      else sendJson(res, 200, page);
    });
    await expect(pullWith(2)).resolves.toEqual(page);
    expect(server.requests).toHaveLength(2);
  });

  it('retries a push too (safe thanks to mutation ids) after a lost answer', async () => {
    let calls = 0;
    server.script((_req, res) => {
      calls += 1;
      if (calls === 1) res.destroy();
      else
        sendJson(res, 200, { protocolVersion: 1, results: [{ mutationId: 9, status: 'applied', rev: '3' }] });
    });
    const push = {
      clientId: 'c1',
      mutations: [{ mutationId: 9, collection: 'work_orders', id: 'a', op: 'delete' as const, baseRev: '2' }],
    };
    const transport = createHttpTransport({
      baseUrl: server.url,
      schemaVersion: 1,
      retry: { initialMs: 1 },
    });
    await expect(transport.push(push)).resolves.toMatchObject({ results: [{ status: 'applied' }] });
    expect(server.requests.map((r) => r.body)).toEqual([JSON.stringify(push), JSON.stringify(push)]);
  });

  it('waits the Retry-After of a 503 before retrying', async () => {
    let calls = 0;
    server.script((_req, res) => {
      calls += 1;
      if (calls === 1) sendJson(res, 503, errorBody('INTERNAL_ERROR', 'busy'), { 'retry-after': '1' });
      else sendJson(res, 200, page);
    });
    await expect(pullWith(2)).resolves.toEqual(page);
    const [first, second] = server.requests;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
  });

  it('does not block a call on a long Retry-After: the error carries it for the scheduler', async () => {
    server.script((_req, res) =>
      sendJson(res, 429, errorBody('INTERNAL_ERROR', 'slow down'), { 'retry-after': '120' }),
    );
    const error = await pullWith(2);
    expect(error).toMatchObject({
      code: 'REQUEST_REJECTED',
      status: 429,
      retryable: true,
      retryAfterMs: 120_000,
    });
    expect(server.requests).toHaveLength(1);
  });

  it('an unreachable server is a NetworkError', async () => {
    const port = await freePort();
    const error = await createHttpTransport({
      baseUrl: `http://127.0.0.1:${port}`,
      schemaVersion: 1,
      retry: { requestRetries: 1, initialMs: 1 },
    })
      .pull(pullRequest)
      .catch((e: unknown) => e);
    expect(isIdbSyncError(error, 'NETWORK_ERROR') && error.reason).toBe('unreachable');
    expect(error).toMatchObject({ retryable: true, endpoint: '/v1/pull' });
  });

  it('a server that never answers is a NetworkError timeout, retried first', async () => {
    server.script(() => {
      // Never answer: the transport's time limit must end the call.
    });
    const error = await pullWith(1, 100);
    expect(isIdbSyncError(error, 'NETWORK_ERROR') && error.reason).toBe('timeout');
    expect(server.requests).toHaveLength(2);
  });

  it('a body that stalls after the headers is a NetworkError timeout', async () => {
    server.script((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"protocolVersion":1,');
    });
    const error = await pullWith(0, 150);
    expect(isIdbSyncError(error, 'NETWORK_ERROR') && error.reason).toBe('timeout');
  });

  it('a body cut off mid-answer is a NetworkError', async () => {
    server.script((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
      res.write('{"protocolVersion":1,', () => res.destroy());
    });
    const error = await pullWith(0);
    expect(isIdbSyncError(error, 'NETWORK_ERROR')).toBe(true);
  });

  it('aborting the signal rejects with its reason, not a typed error', async () => {
    server.script(() => {});
    const controller = new AbortController();
    const transport = createHttpTransport({ baseUrl: server.url, schemaVersion: 1 });
    const pending = transport.pull(pullRequest, controller.signal).catch((e: unknown) => e);
    await server.receivedAtLeast(1);
    const reason = new Error('user navigated away');
    controller.abort(reason);
    expect(await pending).toBe(reason);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
