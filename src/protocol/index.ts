/**
 * The wire protocol (docs/protocol.md), for server implementers and tools: every request and answer
 * as a schema with its type, the error codes and bodies, the version, paths, headers and limits.
 * Apps do not need it: the sync client validates every answer itself.
 *
 * @module idb-sync/protocol
 */

// `idb-sync/protocol`: the wire protocol, for server implementers and tools: every request and
// answer as a schema (zod's `parse`/`safeParse` convention) with its type, the error codes and bodies, the version, paths,
// headers and limits. Apps do not need it: the sync client validates every answer itself.

export type { ErrorBody, ErrorCode } from './error-codes.js';
export { ERROR_CODES, errorBody, errorBodySchema, errorCodes, isKnownErrorCode } from './error-codes.js';
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
} from './messages.js';
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
} from './messages.js';
export {
  PROTOCOL_BASE_PATH,
  PROTOCOL_HEADERS,
  PROTOCOL_LIMITS,
  PROTOCOL_PATHS,
  PROTOCOL_QUERY,
  PROTOCOL_VERSION,
} from './version.js';

// --- the validator's types (`schema.parse`, `schema.safeParse`; `Infer<typeof pullResponseSchema>`)

export type { Infer, SafeParseResult, Schema, SchemaError, SchemaIssue, Validator } from './schema.js';
