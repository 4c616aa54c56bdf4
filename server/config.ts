import type { CollectionInfo } from '../src/protocol/messages.js';
import type { Database } from './db/database.js';
import type { PoolOptions } from './db/postgres-database.js';
import type { RateLimitOptions } from './http/rate-limit.js';
import type { LogEntry } from './http/request-log.js';
import type { CollectionStore } from './storage/collection-store.js';

/**
 * A collection the server syncs (see `docs/server.md`): its name and scope, plus settings that stay
 * on the server.
 */
export interface CollectionConfig {
  /** The collection name, as clients and the protocol use it: `^[a-z][a-z0-9_]{0,62}$`. */
  name: string;
  /** `'user'`: each user has their own records; `'shared'`: one set every user reads. */
  scope: CollectionInfo['scope'];
  /** Pushes are rejected (reason `read-only`); write with `admin` or a bulk import. Default `false`. */
  readOnly?: boolean;
  /** Field of imported records that holds their id (bulk import). Default `'id'`. */
  key?: string;
  /**
   * Largest page served for this collection, below the server's `maxWindowSize` (e.g. a small one
   * for a collection of large records). Default: the server's.
   */
  maxWindowSize?: number;
  /**
   * Where the records live. Default: the server's own `records` table. {@link appTable} serves an
   * application's own table (its columns, written by other code too).
   */
  store?: CollectionStore;
}

/** The demo's collections: a shared read-only lookup and two per-user transactional ones. */
export const defaultCollections: readonly CollectionConfig[] = [
  { name: 'service_types', scope: 'shared', readOnly: true },
  { name: 'work_orders', scope: 'user', readOnly: false },
  { name: 'customers', scope: 'user', readOnly: false },
];

/** Client schema versions the server accepts (see `capabilities.schemaVersions`). */
export interface SchemaVersionPolicy {
  /** Oldest client schema version that may pull. */
  min: number;
  /** Oldest client schema version that may push; `min ≤ minWritable ≤ max`. */
  minWritable: number;
  /** Newest client schema version accepted; newer ones get `SCHEMA_VERSION_TOO_NEW`. */
  max: number;
}

/** The authenticated caller of a request. */
export interface AuthUser {
  /** The user the token belongs to: scopes per-user collections and pushes. */
  userId: string;
}

/** Cross-origin access for browser apps served from another origin. */
export interface CorsOptions {
  /** Origins allowed (`https://app.example.com`), or `'*'` for any. */
  origins: readonly string[] | '*';
  /** How long browsers may cache a preflight answer, in seconds. Default 600. */
  maxAgeSeconds?: number;
}

/** Options of {@link startServer} (and, through flags, of `npm run server`). */
export interface ServerOptions {
  /** Port to listen on; `0` picks a free one. Default `0` (the CLI defaults to 8787). */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** PGlite data directory. Default: none, an in-memory database (gone on close). */
  dataDir?: string;
  /** PostgreSQL connection string; when set, PostgreSQL is used instead of PGlite. */
  databaseUrl?: string;
  /** PostgreSQL schema (`search_path`) to use, created if missing. Default: the connection's default. */
  pgSchema?: string;
  /**
   * An already open database to serve instead of opening one from `databaseUrl`/`dataDir`. The
   * server does not close it. Default: none.
   */
  database?: Database;
  /**
   * Install or update the database schema at start. Default: `true` on the embedded PGlite, `false`
   * on PostgreSQL, where migrations are an explicit step (`npm run server -- migrate`) run once per
   * rollout, not by every instance at start. With `false` the server serves only a servable schema.
   */
  autoMigrate?: boolean;
  /**
   * PostgreSQL pool size and timeouts (see `PoolOptions`): `maxConnections` (10), `acquireTimeoutMs`
   * (5,000), `statementTimeoutMs` (30,000), `lockTimeoutMs` (10,000), `idleInTransactionTimeoutMs`
   * (60,000). A request that runs into one is answered `503 SERVICE_UNAVAILABLE`, not 500.
   */
  pool?: Omit<PoolOptions, 'onError'>;
  /** Longest `/ready` waits for the database before answering 503, in ms. Default 2,000. */
  readyTimeoutMs?: number;
  /**
   * Graceful shutdown (`shutdown()`, SIGTERM in the CLI): how long readiness is off while the
   * instance still serves, so a load balancer stops sending it new requests, in ms. Default 0.
   */
  shutdownDelayMs?: number;
  /** Graceful shutdown: longest wait for in-flight requests to finish, in ms; then streams and sockets close. Default 10,000. */
  shutdownTimeoutMs?: number;
  /** CORS headers for browser apps on other origins. Default: none (same origin or a proxy). */
  cors?: CorsOptions;
  /** Per-token rate limit on pull, push, events and WebSocket requests (429 with `Retry-After`). Default: none. */
  rateLimit?: RateLimitOptions;
  /**
   * How often an open SSE stream or WebSocket session re-checks its token with `authenticate`, in
   * ms; a token no longer valid ends it (WebSocket close 4401). Revocations through the admin API
   * are checked at once. Default 60,000.
   */
  authRecheckMs?: number;
  /** Longest life of an SSE stream or WebSocket session, in ms; then it ends (4408) and the client reconnects. Default 24 hours. */
  maxSessionMs?: number;
  /** Longest a WebSocket may stay open without a valid `hello`, in ms (then close 4400). Default 10,000. */
  helloTimeoutMs?: number;
  /** Most live connections (SSE + WebSocket) per user and instance; more get `429 TOO_MANY_CONNECTIONS` (4429). Default 50. */
  maxConnectionsPerUser?: number;
  /** Collections served. Default: the demo's `service_types` (shared, read-only), `work_orders` and `customers` (per user). */
  collections?: readonly CollectionConfig[];
  /** Largest window served; larger requests are clamped. Default 1000, at most 100,000. */
  maxWindowSize?: number;
  /** Largest request body in bytes (413 above). Default 1 MiB. */
  maxBodyBytes?: number;
  /** Most mutations in one push (413 above). Default 500, at most 1000. */
  maxMutationsPerPush?: number;
  /**
   * Largest record value, in bytes of its compact JSON (UTF-8). A larger pushed value is rejected
   * (reason `invalid`, code `VALUE_TOO_LARGE`); an admin write gets 413. Default 1 MiB. A pushed value
   * must also fit in a request body ({@link maxBodyBytes}).
   */
  maxValueBytes?: number;
  /** Deepest nesting of objects and arrays in a value (the value is level 1); deeper is `VALUE_TOO_DEEP`. Default 100. */
  maxValueDepth?: number;
  /**
   * Byte budget of a pull page (about the JSON of its changes): a page stops early, with
   * `moreAvailable`, once it is reached, but always holds at least one change. Default 4 MiB.
   */
  maxPageBytes?: number;
  /** Accepted client schema versions. Default `{ min: 1, minWritable: 1, max: Number.MAX_SAFE_INTEGER }`. */
  schemaVersions?: SchemaVersionPolicy;
  /** How long tombstones are kept before compaction, in ms. Default 30 days. */
  tombstoneRetentionMs?: number;
  /**
   * How often housekeeping (tombstone compaction) runs, in ms, once across all instances on one
   * database (advisory-lock election); `0` turns it off (call `admin.compactTombstones()`). Default 1 hour.
   */
  compactionIntervalMs?: number;
  /** How many stored push results to keep per client, for answering retries. Default 10,000. */
  mutationResultRetention?: number;
  /** SSE and WebSocket heartbeat interval, in ms. Default 25,000. */
  heartbeatMs?: number;
  /** Token enabling the `/admin` HTTP API (`Authorization: Bearer <adminToken>`). Default: none, `/admin` is off. */
  adminToken?: string;
  /**
   * Authentication hook: resolves a bearer token to a user, or `null` for an unknown token (401).
   * Default: the `tokens` table (tokens made by `admin.createUser`). Plug a real identity provider
   * here (verify a JWT, call an introspection endpoint); a thrown error is a 500, not a 401.
   */
  authenticate?: (token: string) => Promise<AuthUser | null>;
  /**
   * Authorization hook for writes: return `false` to reject a mutation with reason `forbidden`.
   * Default: a user may write every non-read-only collection (their own records of user-scoped ones).
   */
  canWrite?: (user: AuthUser, mutation: { collection: string; id: string; op: 'put' | 'delete' }) => boolean;
  /** Receives one entry per request (and a few warnings). Default: lines on stdout/stderr. */
  logger?: (entry: LogEntry) => void;
}
