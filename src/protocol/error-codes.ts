import { type Infer, int, object, optional, record, string, unknown } from './schema.js';
import { PROTOCOL_VERSION } from './version.js';

/**
 * Every error code a server of this protocol version may answer, with its HTTP status and whether
 * the same request may succeed later without any change by the client (`retryable`).
 * The body of every error response is an {@link ErrorBody}.
 */
export const ERROR_CODES = {
  /** The body is not valid JSON. */
  MALFORMED_JSON: { status: 400, retryable: false },
  /** The body does not match the message schema (wrong types, missing fields); `details.issues` says where. */
  INVALID_REQUEST: { status: 400, retryable: false },
  /** `windowSize` is not a positive integer, or is above the protocol limit (100,000). Smaller values are clamped. */
  INVALID_WINDOW_SIZE: { status: 400, retryable: false },
  /** The checkpoint was not issued by this server for this user, collection and filter (forged or tampered). */
  INVALID_CHECKPOINT: { status: 400, retryable: false },
  /** No `X-Schema-Version` header (or `schemaVersion` query parameter) on a sync request. */
  MISSING_SCHEMA_VERSION: { status: 400, retryable: false },
  /** No token, or a token the server does not know. */
  UNAUTHORIZED: { status: 401, retryable: false },
  /** Authenticated, but not allowed (an admin endpoint, another user's client id). */
  FORBIDDEN: { status: 403, retryable: false },
  /** The push's `clientId` is already bound to another user. */
  CLIENT_ID_FORBIDDEN: { status: 403, retryable: false },
  /** The collection is not configured on the server. */
  UNKNOWN_COLLECTION: { status: 404, retryable: false },
  /** No such endpoint. */
  NOT_FOUND: { status: 404, retryable: false },
  /** The endpoint exists but not with this HTTP method. */
  METHOD_NOT_ALLOWED: { status: 405, retryable: false },
  /** The client's schema version is newer than the server accepts (the server is behind a rollout); retry later. */
  SCHEMA_VERSION_TOO_NEW: { status: 409, retryable: true },
  /** The checkpoint is older than the server's tombstone horizon: drop it and pull from `checkpoint: null` (full sync). */
  RESET_REQUIRED: { status: 410, retryable: false },
  /** The body is larger than the server's limit, or the push has more mutations than it accepts. */
  PAYLOAD_TOO_LARGE: { status: 413, retryable: false },
  /**
   * Too many requests for this token: wait for the `Retry-After` header (seconds) before the next
   * one. `details.retryAfterMs` says the same in milliseconds.
   */
  RATE_LIMITED: { status: 429, retryable: true },
  /** The user holds as many live connections (SSE streams, WebSocket sessions) as the server allows; retry later. */
  TOO_MANY_CONNECTIONS: { status: 429, retryable: true },
  /**
   * The client's schema version is too old: `details.access` says whether it may still pull
   * (`read-only`: pushes refused) or nothing at all (`none`). The app must update.
   */
  UPGRADE_REQUIRED: { status: 426, retryable: false },
  /**
   * Unexpected server failure; no mutation was half-applied (each one commits whole with its stored
   * result), though a push may have applied some of its mutations: retrying it is safe (exactly once).
   */
  INTERNAL_ERROR: { status: 500, retryable: true },
  /** The server's own database schema is missing or too old (`details.status`); sync is refused until it is updated. */
  SERVER_SCHEMA_OUTDATED: { status: 503, retryable: true },
  /**
   * The server cannot serve now (its database is unreachable or overloaded, a timeout expired, or it
   * is shutting down); nothing was changed by the failed part. Retry later, after `Retry-After` when sent.
   */
  SERVICE_UNAVAILABLE: { status: 503, retryable: true },
} as const satisfies Record<string, { status: number; retryable: boolean }>;

/** A stable error code of the protocol. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** All known error codes, for exhaustive tests. */
export const errorCodes = /* @__PURE__ */ Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

/** True when `code` is one this version of the protocol defines (a newer server may send others). */
export function isKnownErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}

/**
 * Body of every error response (HTTP) and of WebSocket `error` messages. `code` is a string rather
 * than the enum so a client keeps working when a newer server adds codes; compare it with
 * {@link isKnownErrorCode}. `message` is for humans and never contains tokens or record contents.
 */
export const errorBodySchema = object({
  protocolVersion: int(),
  error: object({
    code: string(),
    message: string(),
    /** Machine-readable context, depending on the code (e.g. accepted schema versions). */
    details: optional(record(unknown())),
  }),
});
/** Body of every error response. */
export type ErrorBody = Infer<typeof errorBodySchema>;

/** Builds an {@link ErrorBody} for this protocol version. */
export function errorBody(code: ErrorCode, message: string, details?: Record<string, unknown>): ErrorBody {
  return {
    protocolVersion: PROTOCOL_VERSION,
    error: details === undefined ? { code, message } : { code, message, details },
  };
}
