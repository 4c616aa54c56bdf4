import { type ErrorCode } from '../../src/protocol/error-codes.js';
/**
 * A request the server refuses with a protocol error code. Thrown anywhere in request handling and
 * turned into the HTTP status and JSON body of {@link ERROR_CODES}, or a WebSocket `error` message.
 * The message must never contain tokens or record contents.
 */
export declare class ProtocolError extends Error {
    readonly code: ErrorCode;
    readonly details?: Record<string, unknown> | undefined;
    readonly name = "ProtocolError";
    constructor(code: ErrorCode, message: string, details?: Record<string, unknown> | undefined);
    get status(): number;
    toBody(): {
        protocolVersion: number;
        error: {
            code: string;
            message: string;
            details?: Record<string, unknown> | undefined;
        };
    };
}
