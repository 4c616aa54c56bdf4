import { ERROR_CODES, type ErrorCode, errorBody } from '../../src/protocol/error-codes.js';

/**
 * A request the server refuses with a protocol error code. Thrown anywhere in request handling and
 * turned into the HTTP status and JSON body of {@link ERROR_CODES}, or a WebSocket `error` message.
 * The message must never contain tokens or record contents.
 */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  toBody() {
    return errorBody(this.code, this.message, this.details);
  }
}
