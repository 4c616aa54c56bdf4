import type { RecordValue } from '../src/protocol/messages.js';
import type { CheckResult } from './report.js';

/** A user the kit syncs as: a bearer token, and the user id when server-side hooks need it. */
export interface ConformanceUser {
  /** The user's bearer token. */
  token: string;
  /** The server's id of this user; needed by `putRecord`/`deleteRecord` on per-user collections. */
  userId?: string;
}

/**
 * Server-side actions a plain client cannot do. Each one is optional: checks that need a missing
 * hook are reported as skipped, with the hook named.
 */
export interface ConformanceHooks {
  /**
   * Creates a new user and returns its token. With it the kit runs as fresh users with no data,
   * so reruns never see each other's records.
   */
  createUser?(): Promise<ConformanceUser>;
  /** Writes a record as the server would on its own (an admin edit, another service). */
  putRecord?(input: { collection: string; id: string; value: RecordValue; userId?: string }): Promise<void>;
  /** Deletes a record as the server would on its own; clients must get a tombstone. */
  deleteRecord?(input: { collection: string; id: string; userId?: string }): Promise<void>;
  /**
   * Purges every tombstone now (compaction with no retention) and raises the horizons, so that
   * checkpoints from before a purged delete get `410 RESET_REQUIRED`. Affects the whole server:
   * run the kit against a test deployment.
   */
  purgeTombstones?(): Promise<void>;
  /** Revokes the user's token: the server must answer `401` to it from then on. */
  revokeToken?(user: ConformanceUser): Promise<void>;
}

/** Options of {@link runConformance} (the command line maps its flags onto these). */
export interface ConformanceOptions {
  /** Base URL of the server under test, e.g. `http://127.0.0.1:8787` (endpoints are under `/v1/`). */
  url: string;
  /**
   * Users to sync as (tokens, or `{ token, userId }`). One is enough for most checks; a second
   * enables the checks between users (isolation, another user's checkpoint, client id binding).
   * Default: none; then `hooks.createUser` (or `admin`) must make them.
   */
  users?: readonly (string | ConformanceUser)[];
  /** Server-side actions for the checks that need them. Default: none (those checks are skipped). */
  hooks?: ConformanceHooks;
  /**
   * The reference server's `/admin` API (`--admin-token`): provides `createUser`, `putRecord`,
   * `deleteRecord` and `purgeTombstones` over HTTP for every hook not given in `hooks`.
   * `url` defaults to the server's URL.
   */
  admin?: { token: string; url?: string };
  /**
   * Base URLs of other instances of the same deployment (one database, several servers), each
   * reached directly: the `scale-out` checks then read a checkpoint on one instance and use it on
   * another, retry a push elsewhere, and expect pokes for a change written through another. Default:
   * none (those checks are skipped).
   */
  peers?: readonly string[];
  /** The client schema version to sync with. Default: the server's `schemaVersions.minWritable`. */
  schemaVersion?: number;
  /**
   * The collection to write to. Default: the first writable per-user collection in the
   * capabilities, else the first writable shared one.
   */
  collection?: string;
  /**
   * Size of the load-bearing checks (concurrent writers, pushes per writer, retries): `1` takes a
   * few seconds; raise it for a heavier run. Default 1.
   */
  scale?: number;
  /** Run only these checks (ids like `paging.snapshot-order`, or groups like `paging`). Default: all. */
  only?: readonly string[];
  /** Leave out these checks (ids or groups). Default: none. */
  skip?: readonly string[];
  /** Timeout of one HTTP request, in ms. Default 15,000. */
  requestTimeoutMs?: number;
  /** Timeout of one check, in ms. Default 60,000 (times `scale` for the concurrency checks). */
  checkTimeoutMs?: number;
  /**
   * Longest the kit waits for something that should come by itself (a poke, a heartbeat), in ms.
   * Heartbeats are checked only when the server's `heartbeatMs` is below it. Default 5,000.
   */
  maxWaitMs?: number;
  /** Called after each check, for progress output. */
  onResult?: (result: CheckResult) => void;
}
