import { Hono } from 'hono';
import type { AppEnv } from '../http/app.js';
import type { Runtime } from '../sync/runtime.js';
import type { AdminApi } from './admin-api.js';
/**
 * `/admin` over HTTP, for e2e tests and the demo (`Authorization: Bearer <adminToken>`):
 * - `POST /admin/users` `{ userId, name? }` → `{ userId, token }`
 * - `PUT /admin/records/:collection/:id` `{ value, owner? }` → `{ rev }`
 * - `DELETE /admin/records/:collection/:id?owner=` → `{ rev }`
 * - `POST /admin/compact` `{ olderThanMs? }` → `{ removed }`
 * - `GET /admin/schema` → the schema status
 */
export declare function adminRoutes(runtime: Runtime, admin: AdminApi, adminToken: string): Hono<AppEnv>;
