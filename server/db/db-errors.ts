/** SQLSTATE of a database error (`pg` and PGlite both set `code`), or undefined. */
function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * True for a database error caused by the content of one write rather than by the database's state:
 * SQLSTATE class 22 (data exception) and 54 (program limit exceeded, e.g. too deeply nested).
 * Retrying such a write fails again, so it is answered `rejected` instead of a 500 retried forever.
 */
export function isContentError(error: unknown): boolean {
  // A store marks the errors its table's own constraints raise for a value (app tables).
  if ((error as { content?: unknown } | null)?.content === true) return true;
  const code = sqlState(error);
  return code !== undefined && (code.startsWith('22') || code.startsWith('54'));
}

/** True for a transaction the database aborted to break a deadlock or a serialization conflict: retry it. */
export function isRetryableConflict(error: unknown): boolean {
  const code = sqlState(error);
  return code === '40P01' || code === '40001';
}

/**
 * True when the database cannot serve now, through no fault of the request: no free connection
 * within the acquire timeout, a statement or lock timeout, too many connections, the database
 * shutting down or unreachable. Answered `503 SERVICE_UNAVAILABLE` (retry later), not a 500.
 */
export function isUnavailable(error: unknown): boolean {
  const code = sqlState(error);
  if (code !== undefined) {
    return (
      code === '57014' || // statement timeout (or a cancelled query)
      code === '55P03' || // lock timeout
      code === '25P03' || // idle-in-transaction timeout
      code === '53300' || // too many connections
      code.startsWith('57P') || // admin shutdown, crash shutdown, cannot connect now
      code.startsWith('08') || // connection exception
      code === 'ECONNREFUSED' ||
      code === 'ECONNRESET' ||
      code === 'ETIMEDOUT'
    );
  }
  const message = (error as Error | null)?.message ?? '';
  // pg-pool's acquire timeout and a connection lost under a query have no SQLSTATE.
  return /timeout exceeded when trying to connect|Connection terminated/i.test(message);
}
