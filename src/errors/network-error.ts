import { IdbSyncError } from './idb-sync-error.js';

/** Why a request never got an answer. */
export type NetworkErrorReason =
  /** No answer within the transport's `timeoutMs` (or `requestTimeoutMs` over WebSocket). */
  | 'timeout'
  /** The server could not be reached: offline, DNS failure, connection refused or reset. */
  | 'unreachable'
  /** The connection (a WebSocket, an event stream) closed before the answer arrived. */
  | 'connection-lost';

/**
 * A request to the sync server got no HTTP answer at all: the device is offline, the server is
 * unreachable, the request timed out, or the connection dropped mid-request. Always retryable: the
 * protocol makes pull and push safe to repeat. The underlying `TypeError`/timeout is the `cause`.
 */
export class NetworkError extends IdbSyncError {
  override readonly name = 'NetworkError' as const;
  readonly code = 'NETWORK_ERROR' as const;
  /** Always `true`: the same request may succeed once the network is back. */
  readonly retryable = true as const;
  /** Never known for a network failure; present so every transport error has the same shape. */
  readonly retryAfterMs: number | undefined = undefined;

  /** The protocol endpoint that was called, e.g. `/v1/pull` (never a full URL with a query). */
  declare readonly endpoint: string;
  /** What went wrong. */
  declare readonly reason: NetworkErrorReason;

  constructor(endpoint: string, reason: NetworkErrorReason, options?: { cause?: unknown }) {
    super(`Request to ${endpoint} failed: ${explain(reason)}`, options);
    this.endpoint = endpoint;
    this.reason = reason;
  }
}

function explain(reason: NetworkErrorReason): string {
  switch (reason) {
    case 'timeout':
      return 'no answer before the timeout';
    case 'unreachable':
      return 'the server could not be reached';
    case 'connection-lost':
      return 'the connection closed before the answer arrived';
  }
}
