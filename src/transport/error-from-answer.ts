import { AuthError } from '../errors/auth-error.js';
import type { IdbSyncError } from '../errors/idb-sync-error.js';
import { InvalidResponseError } from '../errors/invalid-response-error.js';
import { RequestRejectedError } from '../errors/request-rejected-error.js';
import { ResetRequiredError } from '../errors/reset-required-error.js';
import { ServerError } from '../errors/server-error.js';
import { UpgradeRequiredError } from '../errors/upgrade-required-error.js';
import { ERROR_CODES, errorBodySchema, isKnownErrorCode } from '../protocol/error-codes.js';

/** Everything known about a refused request, over HTTP or WebSocket. */
export interface RefusalContext {
  /** Protocol endpoint, e.g. `/v1/pull`. */
  readonly endpoint: string;
  /** HTTP status; over WebSocket, the status the protocol gives the code (0 if unknown). */
  readonly status: number;
  /** The parsed body, or `undefined` when it was not JSON. */
  readonly body: unknown;
  /** `Retry-After` in milliseconds, when sent. */
  readonly retryAfterMs: number | undefined;
  /** The schema version this client sent. */
  readonly schemaVersion: number;
  /** The pulled collection, for `RESET_REQUIRED`. */
  readonly collection: string | undefined;
  /** True when a refreshed token was already tried (for `AuthError`). */
  readonly refreshed: boolean;
  /** The HTTP error, credentials removed. */
  readonly cause: unknown;
}

/** Statuses worth retrying (the HTTP client retries them itself; an error of one is `retryable`). */
export const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Turns a refusal into its typed error by the body's stable code (statuses only where the body has
 * none): 401 ⇒ `AuthError`, `RESET_REQUIRED` ⇒ `ResetRequiredError`, `UPGRADE_REQUIRED` ⇒
 * `UpgradeRequiredError`, 5xx ⇒ `ServerError`, other 4xx ⇒ `RequestRejectedError`; a 4xx whose body
 * is not a protocol error body ⇒ `InvalidResponseError` (e.g. a wrong `baseUrl` answering 404 HTML).
 */
export function errorFromRefusal(context: RefusalContext): IdbSyncError {
  const { endpoint, status, retryAfterMs, cause } = context;
  const error = errorBodySchema.safeParse(context.body).data?.error;
  const code = error?.code;
  if (status === 401 || code === 'UNAUTHORIZED') {
    return new AuthError(endpoint, status === 0 ? 401 : status, context.refreshed, { cause });
  }
  if (code === 'RESET_REQUIRED') {
    return new ResetRequiredError(context.collection ?? '(unknown)', { cause });
  }
  if (code === 'UPGRADE_REQUIRED') {
    const access = error?.details?.['access'];
    return new UpgradeRequiredError(
      endpoint,
      context.schemaVersion,
      access === 'read-only' || access === 'none' ? access : undefined,
      { cause },
    );
  }
  // The code says whether a retry can succeed; without a known code, the status does.
  const retryable =
    (code !== undefined && isKnownErrorCode(code) ? ERROR_CODES[code].retryable : undefined) ??
    RETRYABLE_STATUSES.has(status);
  if (status >= 500) return new ServerError(endpoint, status, code, retryable, retryAfterMs, { cause });
  if (code === undefined) {
    const problem = context.body === undefined ? 'not-json' : 'schema';
    return new InvalidResponseError(endpoint, status, problem, [], { cause });
  }
  return new RequestRejectedError(endpoint, status, code, retryable, retryAfterMs, { cause });
}

/** The HTTP status the protocol gives an error code (WebSocket errors carry no status). */
export function statusOfCode(code: string): number {
  return isKnownErrorCode(code) ? ERROR_CODES[code].status : 0;
}
