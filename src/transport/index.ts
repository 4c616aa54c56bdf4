/**
 * The building blocks under the one-call sync client: the HTTP and WebSocket transports, the
 * listeners and the connection manager, the environment (online, visibility), and the errors a
 * transport throws. For apps that assemble live sync themselves
 * (`createSyncClient({ database, transport, triggers })`) or bring their own transport.
 *
 * @module idb-sync/transport
 */

// `idb-sync/transport`: the building blocks under `createSyncClient({ database, transport, triggers })`,
// for apps that assemble live sync themselves or bring their own transport (the one-call
// `createSyncClient({ database, url, getToken })` in `idb-sync` builds all of this itself): the HTTP and WebSocket
// transports, the listeners and the connection manager, the environment (online, visibility), and
// the error classes a transport throws so the sync client can tell a network failure from a refusal.

// --- errors a transport throws (the sync client tells them apart by `code`)
export { AuthError } from '../errors/auth-error.js';
export type { InvalidResponseIssue, InvalidResponseProblem } from '../errors/invalid-response-error.js';
export { InvalidResponseError } from '../errors/invalid-response-error.js';
export type { NetworkErrorReason } from '../errors/network-error.js';
export { NetworkError } from '../errors/network-error.js';
export { RequestRejectedError } from '../errors/request-rejected-error.js';
export { ResetRequiredError } from '../errors/reset-required-error.js';
export { ServerError } from '../errors/server-error.js';
export { UpgradeRequiredError } from '../errors/upgrade-required-error.js';

// --- transports (a detached header: the formatter sorts each section on its own)

export type { HttpClientOptions } from './http-client.js';
export type { HttpSyncTransport, HttpTransportOptions } from './http-transport.js';
export { createHttpTransport } from './http-transport.js';
export type { RetryOptions } from './retry-policy.js';
export type {
  GetToken,
  GetTokenOptions,
  ServerEvent,
  ServerEventSource,
  SyncTransport,
  TransportLogEntry,
  TransportLogger,
} from './sync-transport.js';
export type {
  WebSocketConstructor,
  WebSocketLike,
  WebSocketSyncTransport,
  WebSocketTransportOptions,
} from './web-socket-transport.js';
export { createWebSocketTransport } from './web-socket-transport.js';

// --- listeners, connection manager, environment (a detached header, as above)

export type { ConnectionManager, ConnectionManagerOptions } from '../listeners/connection-manager.js';
export { connectionManager } from '../listeners/connection-manager.js';
export type { BrowserGlobals, SyncEnvironment } from '../listeners/environment.js';
export { browserEnvironment } from '../listeners/environment.js';
export type { PollingListenerOptions } from '../listeners/polling-listener.js';
export { pollingListener } from '../listeners/polling-listener.js';
export type { ConnectionKind, PullOutcome, PullSignal, PullSignalReason } from '../listeners/pull-signal.js';
export type { SchedulingOptions } from '../listeners/scheduling-options.js';
export type { SseListenerOptions } from '../listeners/sse-listener.js';
export { sseListener } from '../listeners/sse-listener.js';
export type { WebSocketListenerOptions } from '../listeners/web-socket-listener.js';
export { webSocketListener } from '../listeners/web-socket-listener.js';
export type { Clock } from '../rx/clock.js';
export type { Observable, Subscribable, Unsubscribable } from '../rx/observable.js';
