import { Hono } from 'hono';
import { type Capabilities } from '../../src/protocol/messages.js';
import type { AdminApi } from '../admin/admin-api.js';
import type { Runtime } from '../sync/runtime.js';
import { type RequestStats } from '../sync/stats.js';
import type { SseHub } from './sse.js';
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
export declare function capabilities(runtime: Runtime, rawSchemaVersion: string | undefined): Capabilities;
/** The HTTP API: `/v1/*`, `/health`, and `/admin/*` when an admin token is configured. */
export declare function createApp(runtime: Runtime, admin: AdminApi, sse: SseHub): Hono<AppEnv>;
