import { IdbSyncError } from './idb-sync-error.js';

/**
 * The sync server answered with a 5xx status: an internal error, an outdated server database schema
 * (`SERVER_SCHEMA_OUTDATED`), or a proxy's "bad gateway" page. `retryable` says whether the same
 * request may succeed later; `retryAfterMs` carries the server's `Retry-After` when it sent one.
 * The HTTP error (with credentials removed) is the `cause`.
 */
export class ServerError extends IdbSyncError {
  override readonly name = 'ServerError' as const;
  readonly code = 'SERVER_ERROR' as const;

  /** The protocol endpoint that was called, e.g. `/v1/push`. */
  declare readonly endpoint: string;
  /** HTTP status of the answer. */
  declare readonly status: number;
  /** The protocol error code of the body (e.g. `INTERNAL_ERROR`), `undefined` when the body had none. */
  declare readonly serverCode: string | undefined;
  /** True when the same request may succeed later without any change. */
  declare readonly retryable: boolean;
  /** The server's `Retry-After`, in milliseconds, when it sent one. */
  declare readonly retryAfterMs: number | undefined;

  constructor(
    endpoint: string,
    status: number,
    serverCode: string | undefined,
    retryable: boolean,
    retryAfterMs: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      `Request to ${endpoint} failed: server answered ${status}${serverCode === undefined ? '' : ` (${serverCode})`}`,
      options,
    );
    this.endpoint = endpoint;
    this.status = status;
    this.serverCode = serverCode;
    this.retryable = retryable;
    this.retryAfterMs = retryAfterMs;
  }
}
