import { IdbSyncError } from './idb-sync-error.js';

/**
 * The server refused the request with a 4xx status other than 401 (auth), 410 (`RESET_REQUIRED`) and
 * 426 (`UPGRADE_REQUIRED`), which have their own kinds. `serverCode` is the protocol's stable code
 * (`INVALID_REQUEST`, `UNKNOWN_COLLECTION`, `PAYLOAD_TOO_LARGE`, `SCHEMA_VERSION_TOO_NEW`, …);
 * `retryable` is true only for codes the protocol marks so (and 408/429).
 */
export class RequestRejectedError extends IdbSyncError {
  override readonly name = 'RequestRejectedError' as const;
  readonly code = 'REQUEST_REJECTED' as const;

  /** The protocol endpoint that was called, e.g. `/v1/pull`. */
  declare readonly endpoint: string;
  /** HTTP status of the answer (0 over WebSocket). */
  declare readonly status: number;
  /** The protocol error code the server sent. */
  declare readonly serverCode: string;
  /** True when the same request may succeed later (e.g. `SCHEMA_VERSION_TOO_NEW` during a rollout, 429). */
  declare readonly retryable: boolean;
  /** The server's `Retry-After`, in milliseconds, when it sent one. */
  declare readonly retryAfterMs: number | undefined;

  constructor(
    endpoint: string,
    status: number,
    serverCode: string,
    retryable: boolean,
    retryAfterMs: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(`Request to ${endpoint} was rejected: ${status} ${serverCode}`, options);
    this.endpoint = endpoint;
    this.status = status;
    this.serverCode = serverCode;
    this.retryable = retryable;
    this.retryAfterMs = retryAfterMs;
  }
}
