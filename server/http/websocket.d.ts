import type { Server } from 'node:http';
import type { Runtime } from '../sync/runtime.js';
/**
 * `/v1/ws`: after the client's `hello` (token in it, in the upgrade's `Authorization` header, or in
 * the `token` query parameter), the session gets `poke`s and may send `pull` and `push` requests,
 * each answered by a `result` or an `error` with the same `requestId`. Requests run one at a time
 * per session, in the order received.
 */
export declare function attachWebSocket(server: Server, runtime: Runtime): {
    closeAll(): void;
    readonly size: number;
};
