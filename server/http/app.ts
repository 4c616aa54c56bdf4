import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { errorBody } from '../../src/protocol/error-codes.js';
import { type Capabilities, pullRequestSchema, pushRequestSchema } from '../../src/protocol/messages.js';
import {
  PROTOCOL_HEADERS,
  PROTOCOL_PATHS,
  PROTOCOL_QUERY,
  PROTOCOL_VERSION,
} from '../../src/protocol/version.js';
import type { AdminApi } from '../admin/admin-api.js';
import { adminRoutes } from '../admin/admin-routes.js';
import { bearerToken } from '../auth/tokens.js';
import { canServe, schemaStatus } from '../schema/schema-manager.js';
import { checkClientSchema, schemaAccess } from '../sync/client-schema.js';
import { ProtocolError } from '../sync/protocol-error.js';
import { pull } from '../sync/pull.js';
import { push } from '../sync/push.js';
import type { Runtime } from '../sync/runtime.js';
import { newStats, type RequestStats, timedDatabase } from '../sync/stats.js';
import { summaryEntry } from './request-log.js';
import type { SseHub } from './sse.js';
import { authenticate, limitMutations, parseBody } from './sync-gate.js';

/** Per-request facts collected for the log line. */
export type AppEnv = {
  Variables: {
    stats: RequestStats;
    userId: string | undefined;
    collection: string | undefined;
    /** Protocol error code of a failed request. */
    errorCode: string | undefined;
    /** Set by streaming endpoints that log when the stream ends instead. */
    deferLog: boolean;
  };
};

/** What the server offers, with what a client of `rawSchemaVersion` may do when given. */
export function capabilities(runtime: Runtime, rawSchemaVersion: string | undefined): Capabilities {
  const o = runtime.options;
  const version = rawSchemaVersion === undefined ? Number.NaN : Number(rawSchemaVersion);
  return {
    protocolVersion: PROTOCOL_VERSION,
    transports: ['poll', 'sse', 'websocket'],
    maxWindowSize: o.maxWindowSize,
    maxMutationsPerPush: o.maxMutationsPerPush,
    maxBodyBytes: o.maxBodyBytes,
    schemaVersions: { ...o.schemaVersions },
    collections: o.collections.map((c) => ({ name: c.name, scope: c.scope, readOnly: c.readOnly === true })),
    tombstoneRetentionMs: o.tombstoneRetentionMs,
    heartbeatMs: o.heartbeatMs,
    maxValueBytes: o.maxValueBytes,
    maxValueDepth: o.maxValueDepth,
    maxPageBytes: o.maxPageBytes,
    ...(Number.isSafeInteger(version)
      ? { client: { schemaVersion: version, access: schemaAccess(o.schemaVersions, version) } }
      : {}),
  };
}

/**
 * The HTTP API: `/v1/*`, `/health`, and `/admin/*` when an admin token is configured, all under
 * `basePath` (e.g. `/sync`; default: at the root).
 */
export function createApp(runtime: Runtime, admin: AdminApi, sse: SseHub, basePath = ''): Hono<AppEnv> {
  const app = basePath === '' ? new Hono<AppEnv>() : new Hono<AppEnv>().basePath(basePath);

  app.use('*', async (c, next) => {
    const started = performance.now();
    c.set('stats', newStats());
    c.set('deferLog', false);
    await next();
    c.res.headers.set(PROTOCOL_HEADERS.protocolVersion, String(PROTOCOL_VERSION));
    if (c.get('deferLog')) return;
    const code = c.res.status >= 400 ? c.get('errorCode') : undefined;
    runtime.log(
      summaryEntry({
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        code,
        userId: c.get('userId'),
        collection: c.get('collection'),
        requestId: requestId(c.req.header(PROTOCOL_HEADERS.requestId)),
        stats: c.get('stats'),
        totalMs: performance.now() - started,
      }),
    );
  });

  app.onError((error, c) => {
    if (error instanceof ProtocolError) {
      c.set('errorCode', error.code);
      return c.json(error.toBody(), error.status as ContentfulStatusCode);
    }
    runtime.log({
      level: 'error',
      msg: `${c.req.method} ${c.req.path} failed: ${error.message}`,
      event: 'error',
    });
    c.set('errorCode', 'INTERNAL_ERROR');
    return c.json(errorBody('INTERNAL_ERROR', 'Internal server error'), 500);
  });

  app.notFound((c) => {
    c.set('errorCode', 'NOT_FOUND');
    return c.json(errorBody('NOT_FOUND', 'No such endpoint'), 404);
  });

  const limit = bodyLimit({
    maxSize: runtime.options.maxBodyBytes,
    onError: (c) => {
      c.set('errorCode', 'PAYLOAD_TOO_LARGE');
      // The rest of the body is not read: the connection cannot carry another request.
      c.header('Connection', 'close');
      return c.json(
        errorBody('PAYLOAD_TOO_LARGE', `The body is larger than ${runtime.options.maxBodyBytes} bytes`, {
          maxBodyBytes: runtime.options.maxBodyBytes,
        }),
        413,
      );
    },
  });

  app.get(PROTOCOL_PATHS.capabilities, (c) =>
    c.json(
      capabilities(
        runtime,
        c.req.header(PROTOCOL_HEADERS.schemaVersion) ?? c.req.query(PROTOCOL_QUERY.schemaVersion),
      ),
    ),
  );

  app.get('/health', async (c) => {
    const status = await schemaStatus(runtime.db);
    const ok = canServe(status.state);
    return c.json({ protocolVersion: PROTOCOL_VERSION, ok, schema: status }, ok ? 200 : 503);
  });

  app.post(PROTOCOL_PATHS.pull, limit, async (c) => {
    const meta = await runtime.requireServableSchema();
    const user = await authenticate(runtime, bearerToken(c.req.header('authorization')));
    c.set('userId', user.userId);
    checkClientSchema(runtime.options.schemaVersions, c.req.header(PROTOCOL_HEADERS.schemaVersion), 'read');
    const body = parseBody(pullRequestSchema, await c.req.text());
    c.set('collection', body.collection);
    const stats = c.get('stats');
    return c.json(await pull(runtime, timedDatabase(runtime.db, stats), meta, user, body, stats));
  });

  app.post(PROTOCOL_PATHS.push, limit, async (c) => {
    await runtime.requireServableSchema();
    const user = await authenticate(runtime, bearerToken(c.req.header('authorization')));
    c.set('userId', user.userId);
    checkClientSchema(runtime.options.schemaVersions, c.req.header(PROTOCOL_HEADERS.schemaVersion), 'write');
    const body = parseBody(
      pushRequestSchema,
      await c.req.text(),
      limitMutations(runtime.options.maxMutationsPerPush),
    );
    const collections = [...new Set(body.mutations.map((m) => m.collection))];
    if (collections.length > 0) c.set('collection', collections.join(','));
    const stats = c.get('stats');
    return c.json(await push(runtime, timedDatabase(runtime.db, stats), user, body, stats));
  });

  app.get(PROTOCOL_PATHS.events, async (c) => {
    await runtime.requireServableSchema();
    // EventSource cannot set headers: the token may come as a query parameter (never logged).
    const token = bearerToken(c.req.header('authorization')) ?? c.req.query(PROTOCOL_QUERY.token);
    const user = await authenticate(runtime, token);
    c.set('userId', user.userId);
    checkClientSchema(
      runtime.options.schemaVersions,
      c.req.header(PROTOCOL_HEADERS.schemaVersion) ?? c.req.query(PROTOCOL_QUERY.schemaVersion),
      'read',
    );
    c.set('deferLog', true);
    return sse.open(c, user);
  });

  for (const path of [
    PROTOCOL_PATHS.capabilities,
    PROTOCOL_PATHS.pull,
    PROTOCOL_PATHS.push,
    PROTOCOL_PATHS.events,
  ]) {
    app.all(path, (c) => {
      c.set('errorCode', 'METHOD_NOT_ALLOWED');
      return c.json(errorBody('METHOD_NOT_ALLOWED', `${c.req.method} is not allowed here`), 405);
    });
  }

  if (runtime.options.adminToken !== undefined) {
    app.route('/admin', adminRoutes(runtime, admin, runtime.options.adminToken));
  }
  return app;
}

/** A client-chosen request id, kept only when short and plain (it goes into log lines). */
function requestId(raw: string | undefined): string | undefined {
  return raw !== undefined && /^[\w.:-]{1,64}$/.test(raw) ? raw : undefined;
}
