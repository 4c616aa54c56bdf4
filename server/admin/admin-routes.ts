import { timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { recordIdSchema, recordValueSchema } from '../../src/protocol/messages.js';
import { int, object, optional, string, union } from '../../src/protocol/schema.js';
import { bearerToken } from '../auth/tokens.js';
import type { AppEnv } from '../http/app.js';
import { parseBody } from '../http/sync-gate.js';
import { ImportInputError } from '../import/import-records.js';
import { guessFormat, type ImportFormat, parseRecords } from '../import/parse-records.js';
import { schemaStatus } from '../schema/schema-manager.js';
import { ProtocolError } from '../sync/protocol-error.js';
import type { Runtime } from '../sync/runtime.js';
import type { AdminApi } from './admin-api.js';

const userBody = object({ userId: string({ min: 1, max: 128 }), name: optional(string({ max: 256 })) });
const recordBody = object({ value: recordValueSchema, owner: optional(string({ min: 1 })) });
const revokeBody = union([
  object({ userId: string({ min: 1, max: 128 }) }),
  object({ token: string({ min: 1, max: 4096 }) }),
]);
const compactBody = object({ olderThanMs: optional(int({ min: 0 })) });

/**
 * `/admin` over HTTP, for e2e tests and the demo (`Authorization: Bearer <adminToken>`):
 * - `POST /admin/users` `{ userId, name? }` → `{ userId, token }`
 * - `POST /admin/revoke` `{ userId }` (every token of the user) or `{ token }` → `{ revoked }`
 * - `PUT /admin/records/:collection/:id` `{ value, owner? }` → `{ rev }`
 * - `DELETE /admin/records/:collection/:id?owner=` → `{ rev }`
 * - `POST /admin/import/:collection?owner=&key=&format=` NDJSON, a JSON array or CSV (by `format`,
 *   else the content type), streamed → `{ imported, batches, firstRev, lastRev, ms }`
 * - `POST /admin/compact` `{ olderThanMs? }` → `{ removed }`
 * - `GET /admin/schema` → the schema status
 */
export function adminRoutes(runtime: Runtime, admin: AdminApi, adminToken: string): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const expected = Buffer.from(adminToken);
  app.use('*', async (c, next) => {
    const given = Buffer.from(bearerToken(c.req.header('authorization')) ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ProtocolError('FORBIDDEN', 'Admin token required');
    }
    c.set('userId', 'admin');
    await next();
  });
  // Streamed in batches, an import holds at most a batch in memory: it is not bound by the body limit.
  app.post('/import/:collection', async (c) => {
    const collection = runtime.collection(c.req.param('collection')).name;
    const format = c.req.query('format') ?? guessFormat(c.req.header('content-type') ?? '');
    if (!['ndjson', 'json', 'csv'].includes(format)) {
      throw new ProtocolError('INVALID_REQUEST', 'format must be ndjson, json or csv');
    }
    const body = c.req.raw.body;
    if (body === null) throw new ProtocolError('INVALID_REQUEST', 'The import needs a body');
    const owner = c.req.query('owner');
    const key = c.req.query('key');
    let result: Awaited<ReturnType<AdminApi['importRecords']>>;
    try {
      result = await admin.importRecords(collection, parseRecords(body, format as ImportFormat), {
        ...(owner === undefined ? {} : { owner }),
        ...(key === undefined ? {} : { key }),
        onProgress: (p) =>
          runtime.log({
            level: 'info',
            msg: `import ${collection}: ${p.imported} records in ${(p.ms / 1000).toFixed(1)} s`,
            event: 'import-progress',
            collection,
            imported: p.imported,
          }),
      });
    } catch (error) {
      if (!(error instanceof ImportInputError)) throw error;
      // The batches before the bad record are in: say which record, and how many were imported.
      throw new ProtocolError('INVALID_REQUEST', error.message, { imported: error.imported });
    }
    return c.json(result);
  });
  // After the token check: a stranger's large body gets 403, not 413.
  app.use(
    '*',
    bodyLimit({
      maxSize: runtime.options.maxBodyBytes,
      onError: (c) => {
        // The rest of the body is not read: the connection cannot carry another request.
        c.header('Connection', 'close');
        throw new ProtocolError(
          'PAYLOAD_TOO_LARGE',
          `The body is larger than ${runtime.options.maxBodyBytes} bytes`,
          { maxBodyBytes: runtime.options.maxBodyBytes },
        );
      },
    }),
  );
  app.post('/users', async (c) => {
    const body = parseBody(userBody, await c.req.text());
    return c.json(await admin.createUser(body.userId, body.name === undefined ? {} : { name: body.name }));
  });
  app.post('/revoke', async (c) => {
    const body = parseBody(revokeBody, await c.req.text());
    return c.json(
      'userId' in body
        ? { revoked: await admin.revokeTokens(body.userId) }
        : { revoked: (await admin.revokeToken(body.token)) ? 1 : 0 },
    );
  });
  app.put('/records/:collection/:id', async (c) => {
    const collection = runtime.collection(c.req.param('collection')).name;
    const id = recordId(c.req.param('id'));
    const body = parseBody(recordBody, await c.req.text());
    return c.json({ rev: await admin.putRecord(collection, id, body.value, body.owner) });
  });
  app.delete('/records/:collection/:id', async (c) => {
    const collection = runtime.collection(c.req.param('collection')).name;
    const id = recordId(c.req.param('id'));
    return c.json({ rev: await admin.deleteRecord(collection, id, c.req.query('owner')) });
  });
  app.post('/compact', async (c) => {
    const body = parseBody(compactBody, (await c.req.text()) || '{}');
    return c.json({
      removed: await admin.compactTombstones(
        body.olderThanMs === undefined ? {} : { olderThanMs: body.olderThanMs },
      ),
    });
  });
  app.get('/schema', async (c) => c.json(await schemaStatus(runtime.db)));
  return app;
}

function recordId(raw: string): string {
  const parsed = recordIdSchema.safeParse(raw);
  if (!parsed.success) throw new ProtocolError('INVALID_REQUEST', 'Invalid record id');
  return parsed.data;
}
