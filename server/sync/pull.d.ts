import type { PullRequest, PullResponse } from '../../src/protocol/messages.js';
import type { AuthUser } from '../config.js';
import type { Database } from '../db/database.js';
import type { DatabaseMeta, Runtime } from './runtime.js';
import type { RequestStats } from './stats.js';
/**
 * Serves one page of a pull. `checkpoint: null` starts a snapshot: the records alive now, ordered by
 * id (binary order), page by page; its token remembers the change-log position the snapshot started
 * at, and once the snapshot is exhausted the token follows the change log from there, so changes
 * made during the snapshot are delivered after it (maybe twice, never skipped).
 */
export declare function pull(runtime: Runtime, db: Database, meta: DatabaseMeta, user: AuthUser, request: PullRequest, stats: RequestStats): Promise<PullResponse>;
