// The one public entry of idb-sync: every public name is listed here, nothing else is exported.
// Internals stay internal. Keep sections in this order; add names to your area's section.

// --- errors
export { AuthError, isAuthError } from './errors/auth-error.js';
export type { InvalidResponseIssue, InvalidResponseProblem } from './errors/invalid-response-error.js';
export { InvalidResponseError, isInvalidResponseError } from './errors/invalid-response-error.js';
export type { NetworkErrorReason } from './errors/network-error.js';
export { isNetworkError, NetworkError } from './errors/network-error.js';
export { isRequestRejectedError, RequestRejectedError } from './errors/request-rejected-error.js';
export { isResetRequiredError, ResetRequiredError } from './errors/reset-required-error.js';
export { isServerError, ServerError } from './errors/server-error.js';
export { isSyncError, SyncError } from './errors/sync-error.js';
export { isUpgradeBlockedError, UpgradeBlockedError } from './errors/upgrade-blocked-error.js';
export { isUpgradeRequiredError, UpgradeRequiredError } from './errors/upgrade-required-error.js';

// --- db

// --- upversion

// --- protocol
export type { ErrorBody, ErrorCode } from './protocol/error-codes.js';
export {
  ERROR_CODES,
  errorBody,
  errorBodySchema,
  errorCodes,
  isKnownErrorCode,
} from './protocol/error-codes.js';
export type {
  Capabilities,
  Change,
  CollectionInfo,
  Mutation,
  MutationResult,
  Poke,
  PullFilter,
  PullRequest,
  PullResponse,
  PushRequest,
  PushResponse,
  RecordValue,
  RejectReason,
  SchemaAccess,
  SseHello,
  TransportKind,
  WsClientMessage,
  WsMessage,
  WsServerMessage,
} from './protocol/messages.js';
export {
  capabilitiesSchema,
  changeSchema,
  collectionInfoSchema,
  collectionNameSchema,
  mutationResultSchema,
  mutationSchema,
  pokeSchema,
  pullFilterSchema,
  pullRequestSchema,
  pullResponseSchema,
  pushRequestSchema,
  pushResponseSchema,
  recordIdSchema,
  recordValueSchema,
  rejectReasonSchema,
  revSchema,
  SSE_EVENTS,
  schemaAccessSchema,
  sseHelloSchema,
  transportKindSchema,
  WS_CLOSE_CODES,
  wsClientMessageSchema,
  wsMessageSchema,
  wsServerMessageSchema,
} from './protocol/messages.js';
export {
  PROTOCOL_BASE_PATH,
  PROTOCOL_HEADERS,
  PROTOCOL_LIMITS,
  PROTOCOL_PATHS,
  PROTOCOL_QUERY,
  PROTOCOL_VERSION,
} from './protocol/version.js';

// --- transport
export type { HttpClientOptions, HttpRetryOptions } from './transport/http-client.js';
export type { HttpSyncTransport, HttpTransportOptions } from './transport/http-transport.js';
export { createHttpTransport } from './transport/http-transport.js';
export type {
  GetToken,
  GetTokenOptions,
  ServerEvent,
  ServerEventSource,
  SyncTransport,
  TransportLogEntry,
  TransportLogger,
} from './transport/sync-transport.js';
export type {
  WebSocketConstructor,
  WebSocketLike,
  WebSocketSyncTransport,
  WebSocketTransportOptions,
} from './transport/web-socket-transport.js';
export { createWebSocketTransport } from './transport/web-socket-transport.js';

// --- sync

// --- listeners
export type { BackoffOptions } from './listeners/backoff.js';
export type {
  ConnectionManager,
  ConnectionManagerOptions,
} from './listeners/connection-manager.js';
export { connectionManager } from './listeners/connection-manager.js';
export type { BrowserGlobals, ListenerEnvironment } from './listeners/environment.js';
export { browserEnvironment } from './listeners/environment.js';
export type { PollingListenerOptions } from './listeners/polling-listener.js';
export { pollingListener } from './listeners/polling-listener.js';
export type {
  ConnectionKind,
  PullOutcome,
  PullSignal,
  PullSignalReason,
} from './listeners/pull-signal.js';
export type { SchedulingOptions } from './listeners/scheduling-options.js';
export type { SseListenerOptions } from './listeners/sse-listener.js';
export { sseListener } from './listeners/sse-listener.js';
export type { WebSocketListenerOptions } from './listeners/web-socket-listener.js';
export { webSocketListener } from './listeners/web-socket-listener.js';
