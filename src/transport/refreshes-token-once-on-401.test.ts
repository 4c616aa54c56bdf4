import { inspect } from 'node:util';
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
import type { GetTokenOptions, TransportLogEntry } from './sync-transport.js';

const STALE = 'stale-token-9f2c41';
const FRESH = 'fresh-token-77ab03';
const pullRequest: PullRequest = { collection: 'work_orders', checkpoint: null, windowSize: 10 };
const page = {
  protocolVersion: 1,
  collection: 'work_orders',
  mode: 'changes',
  changes: [],
  checkpoint: 'cp',
  moreAvailable: false,
  windowSize: 10,
};

/** Everything an app might log about a failure: message, fields, causes, deeply. */
function serialised(value: unknown): string {
  return [
    String(value),
    inspect(value, { depth: 12, showHidden: true, getters: true }),
    JSON.stringify(value, (_k, v: unknown) => (v instanceof Error ? { ...v, message: v.message } : v)),
  ].join('\n');
}

describe.runIf(globalThis.__IDB_BACKEND__ === 'fake-indexeddb')('HTTP transport auth', () => {
  let server: ScriptedHttpServer;
  let accepted: string;
  const calls: GetTokenOptions[] = [];
  const logs: TransportLogEntry[] = [];

  beforeEach(async () => {
    calls.length = 0;
    logs.length = 0;
    accepted = FRESH;
    server = await startScriptedHttpServer((req, res) => {
      if (req.headers.authorization === `Bearer ${accepted}`) sendJson(res, 200, page);
      else sendJson(res, 401, errorBody('UNAUTHORIZED', 'unknown token'));
    });
  });
  afterEach(() => server.close());

  const transport = () =>
    createHttpTransport({
      baseUrl: server.url,
      schemaVersion: 1,
      retry: { requestRetries: 2, initialMs: 1 },
      getToken: async (options) => {
        calls.push(options);
        return options.forceRefresh ? FRESH : STALE;
      },
      logger: (entry) => logs.push(entry),
    });

  it('refreshes the token once after a 401 and retries with the new one', async () => {
    await expect(transport().pull(pullRequest)).resolves.toEqual(page);
    expect(calls).toEqual([{ forceRefresh: false }, { forceRefresh: true }]);
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([
      `Bearer ${STALE}`,
      `Bearer ${FRESH}`,
    ]);
    expect(logs.map((l) => l.event)).toEqual(['auth-refresh', 'response']);
  });

  it('fails with an AuthError when the refreshed token is refused too, without leaking either token', async () => {
    accepted = 'nobody';
    const error = await transport()
      .pull(pullRequest)
      .catch((e: unknown) => e);
    expect(isIdbSyncError(error, 'AUTH_FAILED')).toBe(true);
    expect(error).toMatchObject({ status: 401, refreshed: true, endpoint: '/v1/pull' });
    expect(server.requests).toHaveLength(2);
    expect(calls).toHaveLength(2);

    const everything = serialised(error) + serialised(logs);
    expect(everything).toContain('HTTPError');
    expect(everything).not.toContain(STALE);
    expect(everything).not.toContain(FRESH);
  });

  it('keeps tokens and bodies out of errors of every kind and out of the log', async () => {
    accepted = STALE;
    const secretValue = 'customer-secret-notes';
    const push = {
      clientId: 'c1',
      mutations: [
        {
          mutationId: 1,
          collection: 'work_orders',
          id: 'a',
          op: 'put' as const,
          baseRev: null,
          value: { notes: secretValue },
        },
      ],
    };
    const failures: unknown[] = [];
    for (const [status, body] of [
      [500, errorBody('INTERNAL_ERROR', 'boom')],
      [400, errorBody('INVALID_REQUEST', 'bad')],
      [200, { protocolVersion: 1, results: [] }],
      [200, '<html>'],
    ] as const) {
      server.script((req, res) => {
        if (req.headers.authorization === `Bearer ${STALE}`) sendJson(res, status, body);
        else res.destroy();
      });
      failures.push(
        await transport()
          .push(push)
          .catch((e: unknown) => e),
      );
    }
    server.script(() => {});
    failures.push(
      await createHttpTransport({
        baseUrl: server.url,
        schemaVersion: 1,
        timeoutMs: 50,
        retry: { requestRetries: 0 },
        getToken: () => STALE,
        logger: (entry) => logs.push(entry),
      })
        .push(push)
        .catch((e: unknown) => e),
    );
    expect(failures.map((f) => (f as { code?: string }).code)).toEqual([
      'SERVER_ERROR',
      'REQUEST_REJECTED',
      'INVALID_RESPONSE',
      'INVALID_RESPONSE',
      'NETWORK_ERROR',
    ]);
    const everything = serialised(failures) + serialised(logs);
    expect(everything).not.toContain(STALE);
    expect(everything).not.toContain(secretValue);
  });

  it('asks for a token before each request, so the app decides about caching', async () => {
    accepted = STALE;
    const t = transport();
    await t.pull(pullRequest);
    await t.pull(pullRequest);
    expect(calls).toEqual([{ forceRefresh: false }, { forceRefresh: false }]);
  });
});
