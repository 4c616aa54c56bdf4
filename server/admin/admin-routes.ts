import { timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { recordIdSchema, recordValueSchema } from '../../src/protocol/messages.js';
import { int, object, optional, string } from '../../src/protocol/schema.js';
import { bearerToken } from '../auth/tokens.js';
import type { AppEnv } from '../http/app.js';
import { parseBody } from '../http/sync-gate.js';
import { schemaStatus } from '../schema/schema-manager.js';
import { ProtocolError } from '../sync/protocol-error.js';
import type { Runtime } from '../sync/runtime.js';
import type { AdminApi } from './admin-api.js';

const userBody = object({ userId: string({ min: 1, max: 128 }), name: optional(string({ max: 256 })) });
const recordBody = object({ value: recordValueSchema, owner: optional(string({ min: 1 })) });
const compactBody = object({ olderThanMs: optional(int({ min: 0 })) });

/**
 * `/admin` over HTTP, for e2e tests and the demo (`Authorization: Bearer <adminToken>`):
 * - `POST /admin/users` `{ userId, name? }` → `{ userId, token }`
 * - `PUT /admin/records/:collection/:id` `{ value, owner? }` → `{ rev }`
 * - `DELETE /admin/records/:collection/:id?owner=` → `{ rev }`
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
  app.post('/users', async (c) => {
    const body = parseBody(userBody, await c.req.text());
    return c.json(await admin.createUser(body.userId, body.name === undefined ? {} : { name: body.name }));
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
