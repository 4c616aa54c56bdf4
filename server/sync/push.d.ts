import type { PushRequest, PushResponse } from '../../src/protocol/messages.js';
import type { AuthUser } from '../config.js';
import type { Database } from '../db/database.js';
import type { Runtime } from './runtime.js';
import type { RequestStats } from './stats.js';
/**
 * Applies a push exactly once per mutation id. Mutations are processed in order, in transactions of
 * up to {@link CHUNK}: each transaction locks the client row (so two retries of one push cannot run
 * at once), then the sequences it will write in sorted order (so concurrent pushes cannot deadlock),
 * and writes the effects, the stored results and the client's last mutation id together.
 */
export declare function push(runtime: Runtime, db: Database, user: AuthUser, request: PushRequest, stats: RequestStats): Promise<PushResponse>;
