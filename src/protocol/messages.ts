import * as z from 'zod/mini';
import { errorBodySchema } from './error-codes.js';
import { PROTOCOL_LIMITS } from './version.js';

// Requests are parsed leniently (unknown fields are stripped, not refused) and responses too, so a
// newer peer can add fields without breaking an older one. Adding fields is allowed within a
// protocol version; removing or changing one needs a new version.

/** A record id: a non-empty string, compared in binary (`COLLATE "C"`) order by the server. */
export const recordIdSchema = z.string().check(z.minLength(1), z.maxLength(PROTOCOL_LIMITS.maxIdLength));

/** A collection name such as `work_orders`. */
export const collectionNameSchema = z.string().check(z.regex(PROTOCOL_LIMITS.collectionNamePattern));

/** Opaque revision of one version of a record; compare only for equality. */
export const revSchema = z.string().check(z.minLength(1), z.maxLength(64));

/** The JSON value of a record: always an object. */
export const recordValueSchema = z.record(z.string(), z.unknown());
/** The JSON value of a record. */
export type RecordValue = z.infer<typeof recordValueSchema>;

/** What the server lets a client of a given schema version do. */
export const schemaAccessSchema = z.enum(['read-write', 'read-only', 'none']);
/**
 * `read-write`: pull and push; `read-only`: pull only (pushes get `UPGRADE_REQUIRED`), the grace
 * period of an old app during a rollout; `none`: every sync request gets `UPGRADE_REQUIRED`
 * (or `SCHEMA_VERSION_TOO_NEW` when the client is newer than the server).
 */
export type SchemaAccess = z.infer<typeof schemaAccessSchema>;

/** Ways the server can tell a client that collections changed. */
export const transportKindSchema = z.enum(['poll', 'sse', 'websocket']);
/** `poll`: plain pulls; `sse`: `GET /v1/events`; `websocket`: `/v1/ws` (also carries pull and push). */
export type TransportKind = z.infer<typeof transportKindSchema>;

/** How a collection is shared and written. */
export const collectionInfoSchema = z.object({
  name: collectionNameSchema,
  /** `user`: every user has their own records; `shared`: one set of records every user sees. */
  scope: z.enum(['user', 'shared']),
  /** Pushes to a read-only collection are `rejected` with reason `read-only`. */
  readOnly: z.boolean(),
});
/** How a collection is shared and written. */
export type CollectionInfo = z.infer<typeof collectionInfoSchema>;

/** `GET /v1/capabilities` response. */
export const capabilitiesSchema = z.object({
  protocolVersion: z.int(),
  transports: z.array(transportKindSchema),
  /** Largest window the server serves; larger requests are clamped to it. */
  maxWindowSize: z.int().check(z.positive()),
  /** Most mutations accepted in one push. */
  maxMutationsPerPush: z.int().check(z.positive()),
  /** Largest request body, in bytes. */
  maxBodyBytes: z.int().check(z.positive()),
  /**
   * Client schema versions the server accepts: `min..max` may pull; `minWritable..max` may also push.
   * Versions outside `min..max` get `UPGRADE_REQUIRED` (older) or `SCHEMA_VERSION_TOO_NEW` (newer).
   */
  schemaVersions: z.object({
    min: z.int(),
    minWritable: z.int(),
    max: z.int(),
  }),
  /** The collections the server syncs. */
  collections: z.array(collectionInfoSchema),
  /** How long tombstones are kept, in milliseconds: a client offline longer must do a full sync. */
  tombstoneRetentionMs: z.int().check(z.nonnegative()),
  /** Interval of SSE/WebSocket heartbeats, in milliseconds. */
  heartbeatMs: z.int().check(z.positive()),
  /** Present when the request carried a schema version: what that client may do. */
  client: z.optional(z.object({ schemaVersion: z.int(), access: schemaAccessSchema })),
});
/** `GET /v1/capabilities` response. */
export type Capabilities = z.infer<typeof capabilitiesSchema>;

/**
 * Optional equality filter on top-level fields of the record values (`{ status: 'open' }`). A
 * checkpoint is bound to its filter. In change mode, a record that stops matching is sent as a
 * `delete`.
 */
export const pullFilterSchema = z.record(
  z.string(),
  z.union([z.string(), z.number(), z.boolean(), z.null()]),
);
/** Equality filter of a pull. */
export type PullFilter = z.infer<typeof pullFilterSchema>;

/** `POST /v1/pull` body. */
export const pullRequestSchema = z.object({
  collection: collectionNameSchema,
  /** `null`: full sync (a snapshot ordered by id, then the change log); otherwise the last response's checkpoint. */
  checkpoint: z.nullable(z.string().check(z.minLength(1), z.maxLength(PROTOCOL_LIMITS.maxCheckpointLength))),
  /** Most changes wanted in the response; clamped to the server's `maxWindowSize`. */
  windowSize: z.int().check(z.positive(), z.maximum(PROTOCOL_LIMITS.maxWindowSize)),
  filter: z.optional(pullFilterSchema),
});
/** `POST /v1/pull` body. */
export type PullRequest = z.infer<typeof pullRequestSchema>;

/** One change of a pull page: the latest state of one record. `value` is present exactly when `op` is `put`. */
export const changeSchema = z.discriminatedUnion('op', [
  z.object({ id: recordIdSchema, rev: revSchema, op: z.literal('put'), value: recordValueSchema }),
  z.object({ id: recordIdSchema, rev: revSchema, op: z.literal('delete') }),
]);
/** One change of a pull page. */
export type Change = z.infer<typeof changeSchema>;

/** `POST /v1/pull` response. */
export const pullResponseSchema = z.object({
  protocolVersion: z.int(),
  collection: collectionNameSchema,
  /**
   * `snapshot`: records alive now, ordered by id, covering the key range `range`; `changes`:
   * change-log entries after the checkpoint, in commit order (at most one per record).
   */
  mode: z.enum(['snapshot', 'changes']),
  changes: z.array(changeSchema),
  /** Opaque token for the next pull. Replaying the previous one returns the same changes (or more). */
  checkpoint: z.string().check(z.minLength(1)),
  /** True when another pull with `checkpoint` would return changes now; keep pulling until false. */
  moreAvailable: z.boolean(),
  /** The window the server actually used (after clamping). */
  windowSize: z.int().check(z.positive()),
  /**
   * Snapshot mode only: this page holds every record alive at the snapshot with `after < id <= until`
   * (binary order); `after: null` is the start, `until: null` the end of the collection. A client may
   * delete its local records in that range that are not in the page.
   */
  range: z.optional(z.object({ after: z.nullable(recordIdSchema), until: z.nullable(recordIdSchema) })),
  /** Snapshot mode only: records in the whole snapshot, for progress bars. */
  total: z.optional(z.int().check(z.nonnegative())),
});
/** `POST /v1/pull` response. */
export type PullResponse = z.infer<typeof pullResponseSchema>;

/**
 * One local write to replay on the server. `baseRev` is the rev the client's edit started from;
 * `null` means create. A `delete` needs a `baseRev`.
 */
export const mutationSchema = z.object({
  /** Positive integer, strictly increasing per client across pushes (gaps allowed). */
  mutationId: z.int().check(z.positive(), z.maximum(Number.MAX_SAFE_INTEGER)),
  collection: collectionNameSchema,
  id: recordIdSchema,
  op: z.enum(['put', 'delete']),
  baseRev: z.nullable(revSchema),
  /** The whole new value, required for `put`. */
  value: z.optional(recordValueSchema),
});
/** One local write to replay on the server. */
export type Mutation = z.infer<typeof mutationSchema>;

/** `POST /v1/push` body. Mutations must be in strictly increasing `mutationId` order. */
export const pushRequestSchema = z.object({
  /** Stable id of this client installation; bound to the first user that pushes with it. */
  clientId: z.string().check(z.minLength(1), z.maxLength(PROTOCOL_LIMITS.maxClientIdLength)),
  mutations: z.array(mutationSchema).check(
    z.maxLength(PROTOCOL_LIMITS.maxMutationsPerPush),
    z.refine((ms) => ms.every((m, i) => i === 0 || m.mutationId > ms[i - 1]!.mutationId), {
      message: 'mutationId must be strictly increasing',
    }),
  ),
});
/** `POST /v1/push` body. */
export type PushRequest = z.infer<typeof pushRequestSchema>;

/** Why a mutation was refused without being applied. */
export const rejectReasonSchema = z.enum(['read-only', 'forbidden', 'invalid', 'expired']);
/**
 * `read-only`: the collection is read-only; `forbidden`: the user may not write it; `invalid`: the
 * mutation is malformed (a `put` without value, a `delete` without `baseRev`); `expired`: a retried
 * mutation id whose stored result the server no longer keeps (it was processed once; pull to see
 * its effect).
 */
export type RejectReason = z.infer<typeof rejectReasonSchema>;

/** Outcome of one mutation, in the order of the request. */
export const mutationResultSchema = z.discriminatedUnion('status', [
  /** Applied (now or by an earlier try of the same mutation id); `rev` is the record's new rev. */
  z.object({ mutationId: z.int(), status: z.literal('applied'), rev: revSchema }),
  /**
   * Not applied: `baseRev` is not the server's current rev. `current` is the server's record
   * (`op: 'delete'` when it is deleted, `null` when the server has no trace of it).
   */
  z.object({ mutationId: z.int(), status: z.literal('conflict'), current: z.nullable(changeSchema) }),
  /** Not applied and never will be. */
  z.object({
    mutationId: z.int(),
    status: z.literal('rejected'),
    reason: rejectReasonSchema,
    message: z.optional(z.string()),
  }),
]);
/** Outcome of one mutation. */
export type MutationResult = z.infer<typeof mutationResultSchema>;

/** `POST /v1/push` response: one result per mutation, same order. */
export const pushResponseSchema = z.object({
  protocolVersion: z.int(),
  results: z.array(mutationResultSchema),
});
/** `POST /v1/push` response. */
export type PushResponse = z.infer<typeof pushResponseSchema>;

/**
 * Change notification: `collection` changed for this user. `seq` is the collection's change-log
 * position after the change, monotonic per collection and user; a hint only (never a checkpoint):
 * the client pulls from its own checkpoint.
 */
export const pokeSchema = z.object({
  collection: collectionNameSchema,
  seq: z.int().check(z.nonnegative()),
});
/** Change notification. */
export type Poke = z.infer<typeof pokeSchema>;

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
export const sseHelloSchema = z.object({ protocolVersion: z.int(), heartbeatMs: z.int() });
/** SSE `hello` event data. */
export type SseHello = z.infer<typeof sseHelloSchema>;

/** Messages a client sends over `/v1/ws`. `hello` must come first; until then nothing else is served. */
export const wsClientMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('hello'),
    /** Bearer token, unless given in the `Authorization` header or `token` query parameter of the upgrade. */
    token: z.optional(z.string()),
    schemaVersion: z.int(),
  }),
  z.object({
    type: z.literal('pull'),
    requestId: z.string().check(z.minLength(1), z.maxLength(64)),
    body: pullRequestSchema,
  }),
  z.object({
    type: z.literal('push'),
    requestId: z.string().check(z.minLength(1), z.maxLength(64)),
    body: pushRequestSchema,
  }),
]);
/** A message from client to server over `/v1/ws`. */
export type WsClientMessage = z.infer<typeof wsClientMessageSchema>;

/** Messages the server sends over `/v1/ws`. */
export const wsServerMessageSchema = z.discriminatedUnion('type', [
  /** Answer to the client's `hello`: the session is authenticated. */
  z.object({ type: z.literal('hello'), protocolVersion: z.int(), heartbeatMs: z.int() }),
  z.object({
    type: z.literal('poke'),
    collection: collectionNameSchema,
    seq: z.int().check(z.nonnegative()),
  }),
  /** Answer to `pull` (a {@link PullResponse}) or `push` (a {@link PushResponse}) with the same `requestId`. */
  z.object({
    type: z.literal('result'),
    requestId: z.string(),
    body: z.union([pullResponseSchema, pushResponseSchema]),
  }),
  /**
   * An error answering the request `requestId`, or of the session when absent (then the server
   * closes the socket with one of {@link WS_CLOSE_CODES}).
   */
  z.object({ type: z.literal('error'), requestId: z.optional(z.string()), body: errorBodySchema }),
  z.object({ type: z.literal('heartbeat'), at: z.number() }),
]);
/** A message from server to client over `/v1/ws`. */
export type WsServerMessage = z.infer<typeof wsServerMessageSchema>;

/** Any `/v1/ws` message, either direction. */
export const wsMessageSchema = z.union([wsClientMessageSchema, wsServerMessageSchema]);
/** Any `/v1/ws` message. */
export type WsMessage = z.infer<typeof wsMessageSchema>;

/** Close codes the server uses when it ends a `/v1/ws` session itself. */
export const WS_CLOSE_CODES = {
  /** A message that is not JSON or not a {@link WsClientMessage}, or anything before `hello`. */
  badMessage: 4400,
  /** Missing or unknown token. */
  unauthorized: 4401,
  /** The client's schema version is not accepted (`UPGRADE_REQUIRED` or `SCHEMA_VERSION_TOO_NEW`). */
  upgradeRequired: 4426,
  /** The server's database schema is outdated. */
  serverUnavailable: 4503,
  /** The server is shutting down; reconnect later. */
  goingAway: 1001,
} as const;
