import { IdbSyncError } from './idb-sync-error.js';

/**
 * The server refused the credentials (HTTP 401, or WebSocket close code 4401) even after one token
 * refresh (`getToken({ forceRefresh: true })`) and a retry. The app must sign the user in again.
 * Neither the message nor any field or `cause` contains the token.
 */
export class AuthError extends IdbSyncError {
  override readonly name = 'AuthError' as const;
  readonly code = 'AUTH_FAILED' as const;
  /** Never: retrying with the same credentials cannot succeed. */
  readonly retryable = false as const;
  /** Never set; present so every transport error has the same shape. */
  readonly retryAfterMs: number | undefined = undefined;

  /** The protocol endpoint that was called, e.g. `/v1/pull`. */
  declare readonly endpoint: string;
  /** HTTP status (401) or WebSocket close code (4401) of the refusal. */
  declare readonly status: number;
  /** True when a refreshed token was tried too (false when the app gave no `getToken` or no token). */
  declare readonly refreshed: boolean;

  constructor(endpoint: string, status: number, refreshed: boolean, options?: { cause?: unknown }) {
    super(
      `Request to ${endpoint} was not authorized (${status})${refreshed ? ', also after a token refresh' : ''}`,
      options,
    );
    this.endpoint = endpoint;
    this.status = status;
    this.refreshed = refreshed;
  }
}
