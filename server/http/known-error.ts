import { isUnavailable } from '../db/db-errors.js';
import { ProtocolError } from '../sync/protocol-error.js';
import type { Runtime } from '../sync/runtime.js';

/**
 * The protocol error to answer for `error`: itself when it is one; `SERVICE_UNAVAILABLE` when the
 * database cannot serve now (logged as a warning); else `INTERNAL_ERROR`, logged with its stack.
 */
export function knownError(
  runtime: Runtime,
  error: unknown,
  context: { requestId: string | undefined; what: string },
): ProtocolError {
  if (error instanceof ProtocolError) return error;
  const message = (error as Error | null)?.message ?? String(error);
  if (isUnavailable(error)) {
    runtime.log({
      level: 'warn',
      msg: `${context.what} unavailable: ${message}`,
      event: 'unavailable',
      requestId: context.requestId,
    });
    return new ProtocolError('SERVICE_UNAVAILABLE', 'The server cannot serve this now; retry later', {
      retryAfterMs: 1000,
    });
  }
  runtime.log({
    level: 'error',
    msg: `${context.what} failed: ${message}`,
    event: 'error',
    requestId: context.requestId,
    stack: (error as Error | null)?.stack,
  });
  return new ProtocolError('INTERNAL_ERROR', 'Internal server error');
}
