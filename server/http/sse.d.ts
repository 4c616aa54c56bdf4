import type { Context } from 'hono';
import type { AuthUser } from '../config.js';
import type { ChangeEvent } from '../notify/change-bus.js';
import type { Runtime } from '../sync/runtime.js';
/** True when `user` can see the records of `event`. */
export declare function visibleTo(runtime: Runtime, user: AuthUser, event: ChangeEvent): boolean;
/**
 * The `GET /v1/events` streams: `hello`, then a `poke` for every change the user can see, and a
 * `heartbeat` every `heartbeatMs`. Streams end when the client goes away or the server closes.
 */
export declare class SseHub {
    #private;
    private readonly runtime;
    constructor(runtime: Runtime);
    /** Streams currently open. */
    get size(): number;
    open(c: Context, user: AuthUser): Response;
    /** Ends every open stream (server shutdown). */
    closeAll(): void;
}
