import { errorBodySchema } from './error-codes.js';
import {
  array,
  boolean,
  discriminatedUnion,
  enumOf,
  type Infer,
  int,
  literal,
  nullable,
  nullValue,
  number,
  object,
  optional,
  record,
  refine,
  string,
  union,
  unknown,
} from './schema.js';
import { PROTOCOL_LIMITS } from './version.js';

// Requests are parsed leniently (unknown fields are stripped, not refused) and responses too, so a
// newer peer can add fields without breaking an older one. Adding fields is allowed within a
// protocol version; removing or changing one needs a new version.

/** A record id: a non-empty string, compared in binary (`COLLATE "C"`) order by the server. */
export const recordIdSchema = string({ min: 1, max: PROTOCOL_LIMITS.maxIdLength });

/** A collection name such as `work_orders`. */
export const collectionNameSchema = string({ pattern: PROTOCOL_LIMITS.collectionNamePattern });

/** Opaque revision of one version of a record; compare only for equality. */
export const revSchema = string({ min: 1, max: 64 });

/** The JSON value of a record: always an object. */
export const recordValueSchema = record(unknown());
/** The JSON value of a record. */
export type RecordValue = Infer<typeof recordValueSchema>;

/** What the server lets a client of a given schema version do. */
export const schemaAccessSchema = enumOf(['read-write', 'read-only', 'none']);
/**
 * `read-write`: pull and push; `read-only`: pull only (pushes get `UPGRADE_REQUIRED`), the grace
 * period of an old app during a rollout; `none`: every sync request gets `UPGRADE_REQUIRED`
 * (or `SCHEMA_VERSION_TOO_NEW` when the client is newer than the server).
 */
export type SchemaAccess = Infer<typeof schemaAccessSchema>;

/** Ways the server can tell a client that collections changed. */
export const transportKindSchema = enumOf(['poll', 'sse', 'websocket']);
/** `poll`: plain pulls; `sse`: `GET /v1/events`; `websocket`: `/v1/ws` (also carries pull and push). */
export type TransportKind = Infer<typeof transportKindSchema>;

/** How a collection is shared and written. */
export const collectionInfoSchema = object({
  name: collectionNameSchema,
  /** `user`: every user has their own records; `shared`: one set of records every user sees. */
  scope: enumOf(['user', 'shared']),
  /** Pushes to a read-only collection are `rejected` with reason `read-only`. */
  readOnly: boolean(),
});
/** How a collection is shared and written. */
export type CollectionInfo = Infer<typeof collectionInfoSchema>;

/** `GET /v1/capabilities` response. */
export const capabilitiesSchema = object({
  protocolVersion: int(),
  transports: array(transportKindSchema),
  /** Largest window the server serves; larger requests are clamped to it. */
  maxWindowSize: int({ min: 1 }),
  /** Most mutations accepted in one push. */
  maxMutationsPerPush: int({ min: 1 }),
  /** Largest request body, in bytes. */
  maxBodyBytes: int({ min: 1 }),
  /**
   * Client schema versions the server accepts: `min..max` may pull; `minWritable..max` may also push.
   * Versions outside `min..max` get `UPGRADE_REQUIRED` (older) or `SCHEMA_VERSION_TOO_NEW` (newer).
   */
  schemaVersions: object({
    min: int(),
    minWritable: int(),
    max: int(),
  }),
  /** The collections the server syncs. */
  collections: array(collectionInfoSchema),
  /** How long tombstones are kept, in milliseconds: a client offline longer must do a full sync. */
  tombstoneRetentionMs: int({ min: 0 }),
  /** Interval of SSE/WebSocket heartbeats, in milliseconds. */
  heartbeatMs: int({ min: 1 }),
  /**
   * Largest record value accepted, in bytes of its compact JSON (UTF-8); a larger `put` is rejected
   * with reason `invalid`, code `VALUE_TOO_LARGE`. Absent: not announced (older servers).
   */
  maxValueBytes: optional(int({ min: 1 })),
  /** Deepest nesting of objects and arrays accepted in a value (the value itself is level 1); deeper: `VALUE_TOO_DEEP`. */
  maxValueDepth: optional(int({ min: 1 })),
  /**
   * Byte budget of a pull page (compact JSON of its changes): a page holds at most `windowSize`
   * changes and stops early, with `moreAvailable: true`, once this budget is reached. A page always
   * holds at least one change, so one large record still goes through.
   */
  maxPageBytes: optional(int({ min: 1 })),
  /** Present when the request carried a schema version: what that client may do. */
  client: optional(object({ schemaVersion: int(), access: schemaAccessSchema })),
});
/** `GET /v1/capabilities` response. */
export type Capabilities = Infer<typeof capabilitiesSchema>;

/**
 * Optional equality filter on top-level fields of the record values (`{ status: 'open' }`). A
 * checkpoint is bound to its filter. In change mode, a record that stops matching is sent as a
 * `delete`.
 */
export const pullFilterSchema = record(union([string(), number(), boolean(), nullValue()]));
/** Equality filter of a pull. */
export type PullFilter = Infer<typeof pullFilterSchema>;

/** `POST /v1/pull` body. */
export const pullRequestSchema = /* @__PURE__ */ (() =>
  // Built in a function: a bundle that never reads requests (the client's) keeps none of it, not
  // even the reads of PROTOCOL_LIMITS (which a bundler keeps when they are call arguments).
  object({
    collection: collectionNameSchema,
    /** `null`: full sync (a snapshot ordered by id, then the change log); otherwise the last response's checkpoint. */
    checkpoint: nullable(string({ min: 1, max: PROTOCOL_LIMITS.maxCheckpointLength })),
    /** Most changes wanted in the response; clamped to the server's `maxWindowSize`. */
    windowSize: int({ min: 1, max: PROTOCOL_LIMITS.maxWindowSize }),
    filter: optional(pullFilterSchema),
  }))();
/** `POST /v1/pull` body. */
export type PullRequest = Infer<typeof pullRequestSchema>;

/** One change of a pull page: the latest state of one record. `value` is present exactly when `op` is `put`. */
export const changeSchema = discriminatedUnion('op', [
  object({ id: recordIdSchema, rev: revSchema, op: literal('put'), value: recordValueSchema }),
  object({ id: recordIdSchema, rev: revSchema, op: literal('delete') }),
]);
/** One change of a pull page. */
export type Change = Infer<typeof changeSchema>;

/** `POST /v1/pull` response. */
export const pullResponseSchema = object({
  protocolVersion: int(),
  collection: collectionNameSchema,
  /**
   * `snapshot`: records alive now, ordered by id, covering the key range `range`; `changes`:
   * change-log entries after the checkpoint, in commit order (at most one per record).
   */
  mode: enumOf(['snapshot', 'changes']),
  changes: array(changeSchema),
  /** Opaque token for the next pull. Replaying the previous one returns the same changes (or more). */
  checkpoint: string({ min: 1 }),
  /** True when another pull with `checkpoint` would return changes now; keep pulling until false. */
  moreAvailable: boolean(),
  /** The window the server actually used (after clamping). */
  windowSize: int({ min: 1 }),
  /**
   * Snapshot mode only: this page holds every record alive at the snapshot with `after < id <= until`
   * (binary order); `after: null` is the start, `until: null` the end of the collection. A client may
   * delete its local records in that range that are not in the page.
   */
  range: optional(object({ after: nullable(recordIdSchema), until: nullable(recordIdSchema) })),
  /** Snapshot mode only: records in the whole snapshot, for progress bars. */
  total: optional(int({ min: 0 })),
});
/** `POST /v1/pull` response. */
export type PullResponse = Infer<typeof pullResponseSchema>;

/**
 * One local write to replay on the server. `baseRev` is the rev the client's edit started from;
 * `null` means create. A `delete` needs a `baseRev`.
 */
export const mutationSchema = object({
  /** Positive integer, strictly increasing per client across pushes (gaps allowed). */
  mutationId: int({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  collection: collectionNameSchema,
  id: recordIdSchema,
  op: enumOf(['put', 'delete']),
  baseRev: nullable(revSchema),
  /** The whole new value, required for `put`. */
  value: optional(recordValueSchema),
});
/** One local write to replay on the server. */
export type Mutation = Infer<typeof mutationSchema>;

/** `POST /v1/push` body. Mutations must be in strictly increasing `mutationId` order. */
export const pushRequestSchema = /* @__PURE__ */ (() =>
  // In a function for the same reason as pullRequestSchema.
  object({
    /** Stable id of this client installation; bound to the first user that pushes with it. */
    clientId: string({ min: 1, max: PROTOCOL_LIMITS.maxClientIdLength }),
    mutations: refine(
      array(mutationSchema, { max: PROTOCOL_LIMITS.maxMutationsPerPush }),
      (ms) => ms.every((m, i) => i === 0 || m.mutationId > ms[i - 1]!.mutationId),
      'mutationId must be strictly increasing',
    ),
  }))();
/** `POST /v1/push` body. */
export type PushRequest = Infer<typeof pushRequestSchema>;

/** Why a mutation was refused without being applied. */
export const rejectReasonSchema = enumOf(['read-only', 'forbidden', 'invalid', 'expired']);
/**
 * `read-only`: the collection is read-only; `forbidden`: the user may not write it; `invalid`: the
 * mutation is malformed (a `put` without value, a `delete` without `baseRev`); `expired`: a retried
 * mutation id whose stored result the server no longer keeps (it was processed once; pull to see
 * its effect).
 */
export type RejectReason = Infer<typeof rejectReasonSchema>;

/**
 * Refinements of reason `invalid` for values and ids the server cannot store, sent as `code` beside
 * the reason (a field added within protocol v1; older clients ignore it and see `invalid`):
 * `VALUE_TOO_LARGE` (above `maxValueBytes`), `VALUE_TOO_DEEP` (above `maxValueDepth`),
 * `NOT_STORABLE` (a NUL character or an unpaired UTF-16 surrogate in the id, a key or a string of the
 * value, or any other content the server's database refuses). A client may meet other codes.
 */
export const REJECT_CODES = {
  valueTooLarge: 'VALUE_TOO_LARGE',
  valueTooDeep: 'VALUE_TOO_DEEP',
  notStorable: 'NOT_STORABLE',
} as const;
/** A known refinement of a rejection (see {@link REJECT_CODES}). */
export type RejectCode = (typeof REJECT_CODES)[keyof typeof REJECT_CODES];

/** Outcome of one mutation, in the order of the request. */
export const mutationResultSchema = discriminatedUnion('status', [
  /** Applied (now or by an earlier try of the same mutation id); `rev` is the record's new rev. */
  object({ mutationId: int(), status: literal('applied'), rev: revSchema }),
  /**
   * Not applied: `baseRev` is not the server's current rev. `current` is the server's record
   * (`op: 'delete'` when it is deleted, `null` when the server has no trace of it).
   */
  object({ mutationId: int(), status: literal('conflict'), current: nullable(changeSchema) }),
  /** Not applied and never will be. */
  object({
    mutationId: int(),
    status: literal('rejected'),
    reason: rejectReasonSchema,
    /** Machine-readable refinement of `reason`, e.g. `VALUE_TOO_LARGE` ({@link REJECT_CODES}). */
    code: optional(string()),
    message: optional(string()),
  }),
]);
/** Outcome of one mutation. */
export type MutationResult = Infer<typeof mutationResultSchema>;

/** `POST /v1/push` response: one result per mutation, same order. */
export const pushResponseSchema = object({
  protocolVersion: int(),
  results: array(mutationResultSchema),
});
/** `POST /v1/push` response. */
export type PushResponse = Infer<typeof pushResponseSchema>;

/**
 * Change notification: `collection` changed for this user. `seq` is the collection's change-log
 * position after the change, monotonic per collection and user; a hint only (never a checkpoint):
 * the client pulls from its own checkpoint.
 */
export const pokeSchema = object({
  collection: collectionNameSchema,
  seq: int({ min: 0 }),
});
/** Change notification. */
export type Poke = Infer<typeof pokeSchema>;

/** SSE event names of `GET /v1/events`; every `data:` is JSON. */
export const SSE_EVENTS = {
  /** First event: `{ protocolVersion, heartbeatMs }`. */
  hello: 'hello',
  /** A {@link Poke}. */
  poke: 'poke',
  /** Every `heartbeatMs`: `{ at }` (epoch ms), so a client can detect a dead stream. */
  heartbeat: 'heartbeat',
} as const;

/** SSE `hello` event data. */
export const sseHelloSchema = object({ protocolVersion: int(), heartbeatMs: int() });
/** SSE `hello` event data. */
export type SseHello = Infer<typeof sseHelloSchema>;

/** Messages a client sends over `/v1/ws`. `hello` must come first; until then nothing else is served. */
export const wsClientMessageSchema = discriminatedUnion('type', [
  object({
    type: literal('hello'),
    /** Bearer token, unless given in the `Authorization` header or `token` query parameter of the upgrade. */
    token: optional(string()),
    schemaVersion: int(),
  }),
  object({
    type: literal('pull'),
    requestId: string({ min: 1, max: 64 }),
    body: pullRequestSchema,
  }),
  object({
    type: literal('push'),
    requestId: string({ min: 1, max: 64 }),
    body: pushRequestSchema,
  }),
]);
/** A message from client to server over `/v1/ws`. */
export type WsClientMessage = Infer<typeof wsClientMessageSchema>;

/** Messages the server sends over `/v1/ws`. */
export const wsServerMessageSchema = discriminatedUnion('type', [
  /** Answer to the client's `hello`: the session is authenticated. */
  object({ type: literal('hello'), protocolVersion: int(), heartbeatMs: int() }),
  object({
    type: literal('poke'),
    collection: collectionNameSchema,
    seq: int({ min: 0 }),
  }),
  /** Answer to `pull` (a {@link PullResponse}) or `push` (a {@link PushResponse}) with the same `requestId`. */
  object({
    type: literal('result'),
    requestId: string(),
    body: union([pullResponseSchema, pushResponseSchema]),
  }),
  /**
   * An error answering the request `requestId`, or of the session when absent (then the server
   * closes the socket with one of {@link WS_CLOSE_CODES}).
   */
  object({ type: literal('error'), requestId: optional(string()), body: errorBodySchema }),
  object({ type: literal('heartbeat'), at: number() }),
]);
/** A message from server to client over `/v1/ws`. */
export type WsServerMessage = Infer<typeof wsServerMessageSchema>;

/** Any `/v1/ws` message, either direction. */
export const wsMessageSchema = union([wsClientMessageSchema, wsServerMessageSchema]);
/** Any `/v1/ws` message. */
export type WsMessage = Infer<typeof wsMessageSchema>;

/** Close codes the server uses when it ends a `/v1/ws` session itself. */
export const WS_CLOSE_CODES = {
  /** A message that is not JSON or not a {@link WsClientMessage}, or anything before `hello`. */
  badMessage: 4400,
  /** Missing or unknown token, or a token revoked while the session was open. */
  unauthorized: 4401,
  /** The client's schema version is not accepted (`UPGRADE_REQUIRED` or `SCHEMA_VERSION_TOO_NEW`). */
  upgradeRequired: 4426,
  /** The server's database schema is outdated. */
  serverUnavailable: 4503,
  /** The session reached the server's maximum lifetime: reconnect (authenticating again). */
  sessionExpired: 4408,
  /** The user holds too many live connections: reconnect later. */
  tooManyConnections: 4429,
  /** The server is shutting down; reconnect later. */
  goingAway: 1001,
} as const;
