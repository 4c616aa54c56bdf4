import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors as honoCors } from 'hono/cors';
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
import { pull } from '../sync/pull.js';
import { push } from '../sync/push.js';
import type { Runtime } from '../sync/runtime.js';
import { newStats, type RequestStats, timedDatabase } from '../sync/stats.js';
import { compressJson } from './compress.js';
import { knownError } from './known-error.js';
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
    /** The request's id: the client's `X-Request-Id` when usable, else a new one; echoed in the answer. */
    requestId: string;
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
    const leave = runtime.lifecycle.enter();
    c.set('stats', newStats());
    c.set('deferLog', false);
    // The client's id when it sent a usable one, else a new one: echoed, and in every log entry.
    const given = requestId(c.req.header(PROTOCOL_HEADERS.requestId));
    const id = given ?? randomUUID();
    c.set('requestId', id);
    try {
      await next();
    } finally {
      leave();
    }
    c.res.headers.set(PROTOCOL_HEADERS.protocolVersion, String(PROTOCOL_VERSION));
    c.res.headers.set(PROTOCOL_HEADERS.requestId, id);
    // Shutting down: the client should open its next request on another connection (instance).
    if (runtime.lifecycle.draining) c.res.headers.set('Connection', 'close');
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
        requestId: id,
        // Text lines show the id a client chose (to find its requests); generated ones are in the entry.
        lineShowsRequestId: given !== undefined,
        stats: c.get('stats'),
        totalMs: performance.now() - started,
      }),
    );
  });

  const cors = runtime.options.cors;
  if (cors !== undefined) {
    app.use(
      '*',
      honoCors({
        origin: cors.origins === '*' ? '*' : [...cors.origins],
        allowMethods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
        allowHeaders: [
          'Authorization',
          'Content-Type',
          PROTOCOL_HEADERS.schemaVersion,
          PROTOCOL_HEADERS.requestId,
        ],
        exposeHeaders: [PROTOCOL_HEADERS.protocolVersion, PROTOCOL_HEADERS.requestId, 'Retry-After'],
        maxAge: cors.maxAgeSeconds ?? 600,
      }),
    );
  }
  app.use('*', compressJson());

  app.onError((error, c) => {
    const known = knownError(runtime, error, {
      requestId: c.get('requestId'),
      what: `${c.req.method} ${c.req.path}`,
    });
    c.set('errorCode', known.code);
    const retryAfterMs = known.details?.retryAfterMs;
    if (typeof retryAfterMs === 'number') c.header('Retry-After', String(Math.ceil(retryAfterMs / 1000)));
    return c.json(known.toBody(), known.status as ContentfulStatusCode);
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

  const limiter = runtime.rateLimiter;
  if (limiter !== undefined) {
    for (const path of [PROTOCOL_PATHS.pull, PROTOCOL_PATHS.push, PROTOCOL_PATHS.events]) {
      app.use(path, async (c, next) => {
        limiter.take(bearerToken(c.req.header('authorization')) ?? c.req.query(PROTOCOL_QUERY.token));
        await next();
      });
    }
  }

  app.get(PROTOCOL_PATHS.capabilities, (c) =>
    c.json(
      capabilities(
        runtime,
        c.req.header(PROTOCOL_HEADERS.schemaVersion) ?? c.req.query(PROTOCOL_QUERY.schemaVersion),
      ),
    ),
  );

  // Liveness: the process answers. No database call, so a slow or lost database never gets a
  // healthy instance restarted (that is readiness's business).
  app.get('/health', (c) => c.json({ protocolVersion: PROTOCOL_VERSION, ok: true }));

  // Readiness: this instance can serve sync now (database reachable within `readyTimeoutMs`,
  // schema servable, not shutting down).
  app.get('/ready', async (c) => {
    const answer = (ready: boolean, more: Record<string, unknown>) =>
      c.json({ protocolVersion: PROTOCOL_VERSION, ready, ...more }, ready ? 200 : 503);
    if (runtime.lifecycle.draining) return answer(false, { reason: 'shutting down' });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), runtime.options.readyTimeoutMs);
    });
    try {
      const status = await Promise.race([schemaStatus(runtime.db), timeout]);
      if (status === 'timeout') return answer(false, { reason: 'database timeout' });
      return canServe(status.state)
        ? answer(true, { schema: status })
        : answer(false, { reason: 'schema', schema: status });
    } catch (error) {
      runtime.log({
        level: 'warn',
        msg: `readiness check failed: ${(error as Error).message}`,
        event: 'ready',
        requestId: c.get('requestId'),
      });
      return answer(false, { reason: 'database unavailable' });
    } finally {
      clearTimeout(timer);
    }
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
    const stream = sse.open(c, user, token!);
    c.set('deferLog', true);
    return stream;
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
