/** Version of the sync protocol this library speaks. Every server response carries it. */
export const PROTOCOL_VERSION = 1 as const;

/** Path prefix of every endpoint of this protocol version. */
export const PROTOCOL_BASE_PATH = '/v1' as const;

/** Endpoint paths, relative to the server's origin (or base URL). */
export const PROTOCOL_PATHS = {
  /** `GET`: what the server offers ({@link Capabilities}); needs no token. */
  capabilities: '/v1/capabilities',
  /** `POST` a {@link PullRequest}, answered with a {@link PullResponse}. */
  pull: '/v1/pull',
  /** `POST` a {@link PushRequest}, answered with a {@link PushResponse}. */
  push: '/v1/push',
  /** `GET`: Server-Sent Events stream of {@link Poke}s (`event: poke`) and heartbeats. */
  events: '/v1/events',
  /** WebSocket: {@link WsClientMessage}s in, {@link WsServerMessage}s out. */
  ws: '/v1/ws',
} as const;

/** HTTP header names of the protocol (HTTP headers are case-insensitive; these are the canonical spellings). */
export const PROTOCOL_HEADERS = {
  /** Sent by the server on every response: the protocol version, e.g. `1`. */
  protocolVersion: 'X-Sync-Protocol',
  /**
   * Sent by the client on every sync request (pull, push, events, ws): its local schema version, a
   * positive integer. EventSource and browser WebSocket clients, which cannot set headers, use the
   * `schemaVersion` query parameter instead.
   */
  schemaVersion: 'X-Schema-Version',
  /** `Bearer <token>`. EventSource/WebSocket clients may use the `token` query parameter instead. */
  authorization: 'Authorization',
  /** Optional client-chosen id echoed in the server's log line and response, for tracing. */
  requestId: 'X-Request-Id',
} as const;

/** Query parameter names accepted where a header cannot be set (EventSource, browser WebSocket). */
export const PROTOCOL_QUERY = {
  /** Bearer token. Never logged by the reference server, but may end up in proxy logs: prefer the header. */
  token: 'token',
  /** Same as the `X-Schema-Version` header. */
  schemaVersion: 'schemaVersion',
} as const;

/** Hard limits of the protocol; a server may configure lower ones (it announces them in its capabilities). */
export const PROTOCOL_LIMITS = {
  /** Longest record id, in UTF-16 code units. */
  maxIdLength: 256,
  /** Collection names: lower-case letter first, then lower-case letters, digits, `_`; at most 63 characters. */
  collectionNamePattern: /^[a-z][a-z0-9_]{0,62}$/,
  /** Longest client id. */
  maxClientIdLength: 128,
  /** Largest `windowSize` a request may ask for; larger is `INVALID_WINDOW_SIZE`, smaller is clamped by the server. */
  maxWindowSize: 100_000,
  /** Most mutations in one push. */
  maxMutationsPerPush: 1_000,
  /** Longest opaque checkpoint token (a snapshot token may carry a record id of 256 non-ASCII characters). */
  maxCheckpointLength: 2_048,
} as const;
