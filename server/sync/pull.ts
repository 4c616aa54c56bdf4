import type { Change, PullRequest, PullResponse } from '../../src/protocol/messages.js';
import { PROTOCOL_VERSION } from '../../src/protocol/version.js';
import type { AuthUser } from '../config.js';
import type { Database } from '../db/database.js';
import { toInt } from '../db/database.js';
import {
  type CheckpointBinding,
  type CheckpointState,
  decodeCheckpoint,
  encodeCheckpoint,
} from './checkpoint.js';
import { ProtocolError } from './protocol-error.js';
import type { DatabaseMeta, Runtime } from './runtime.js';
import type { RequestStats } from './stats.js';
import { isStorableString } from './storable.js';

/**
 * Serves one page of a pull. `checkpoint: null` starts a snapshot: the records alive now, ordered by
 * id (binary order), page by page; its token remembers the change-log position the snapshot started
 * at, and once the snapshot is exhausted the token follows the change log from there, so changes
 * made during the snapshot are delivered after it (maybe twice, never skipped).
 */
export async function pull(
  runtime: Runtime,
  db: Database,
  meta: DatabaseMeta,
  user: AuthUser,
  request: PullRequest,
  stats: RequestStats,
): Promise<PullResponse> {
  const collection = runtime.collection(request.collection);
  const owner = runtime.owner(collection, user.userId);
  const windowSize = Math.min(
    request.windowSize,
    collection.maxWindowSize ?? runtime.options.maxWindowSize,
    runtime.options.maxWindowSize,
  );
  const binding: CheckpointBinding = {
    epoch: meta.epoch,
    userId: user.userId,
    collection: collection.name,
    filter: request.filter,
  };
  const filter =
    request.filter !== undefined && Object.keys(request.filter).length > 0 ? request.filter : undefined;
  for (const [key, value] of Object.entries(filter ?? {})) {
    if (!isStorableString(key) || (typeof value === 'string' && !isStorableString(value))) {
      throw new ProtocolError(
        'INVALID_REQUEST',
        'The filter holds a NUL character or an unpaired surrogate',
        {
          issues: [{ path: `filter`, message: 'not storable' }],
        },
      );
    }
  }
  const position = await readPosition(db, collection.name, owner);

  let state: CheckpointState;
  if (request.checkpoint === null) {
    state = {
      mode: 'snapshot',
      seq: position.seq,
      after: null,
      total: await runtime.store(collection).count(db, { collection: collection.name, owner }, filter),
    };
  } else {
    state = decodeCheckpoint(meta.checkpointSecret, binding, request.checkpoint);
    // A position beyond the log means the database went back in time (restored from a backup).
    if (state.seq > position.seq) throw resetRequired(collection.name, 'is ahead of the server');
  }

  const store = runtime.store(collection);
  const scope = { collection: collection.name, owner };
  const limits = { limit: windowSize, maxBytes: runtime.options.maxPageBytes, filter };
  let page: Page;
  if (state.mode === 'snapshot') {
    const rows = await store.snapshotPage(db, scope, state.after, limits);
    if (rows.cut) {
      const until = rows.changes[rows.changes.length - 1]!.id;
      page = {
        changes: rows.changes,
        next: { ...state, after: until },
        moreAvailable: true,
        range: { after: state.after, until },
      };
    } else {
      page = {
        changes: rows.changes,
        next: { mode: 'changes', seq: state.seq },
        moreAvailable: position.seq > state.seq,
        range: { after: state.after, until: null },
      };
    }
  } else {
    const rows = await store.changesPage(db, scope, state.seq, limits);
    const last = rows.changes[rows.changes.length - 1];
    page = {
      changes: rows.changes,
      next: { mode: 'changes', seq: last === undefined ? state.seq : Number(last.rev) },
      moreAvailable: rows.cut,
    };
  }

  // Read the horizon after the page: a compaction that committed before the page query shows here,
  // so a page that may lack compacted tombstones is never served.
  const horizon = (await readPosition(db, collection.name, owner)).horizon;
  if (state.seq < horizon) throw resetRequired(collection.name, 'is older than the tombstone horizon');

  for (const change of page.changes) {
    if (change.op === 'put') stats.fetch += 1;
    else stats.delete += 1;
  }
  return {
    protocolVersion: PROTOCOL_VERSION,
    collection: collection.name,
    mode: state.mode,
    changes: page.changes,
    checkpoint: encodeCheckpoint(meta.checkpointSecret, binding, page.next),
    moreAvailable: page.moreAvailable,
    windowSize,
    ...(state.mode === 'snapshot' ? { range: page.range!, total: state.total } : {}),
  };
}

interface Page {
  changes: Change[];
  next: CheckpointState;
  moreAvailable: boolean;
  range?: { after: string | null; until: string | null };
}

async function readPosition(db: Database, collection: string, owner: string) {
  const { rows } = await db.query<{ seq: unknown; horizon: unknown }>(
    `SELECT seq, horizon FROM collection_seq WHERE collection = $1 AND owner = $2`,
    [collection, owner],
  );
  const row = rows[0];
  return row === undefined ? { seq: 0, horizon: 0 } : { seq: toInt(row.seq), horizon: toInt(row.horizon) };
}

function resetRequired(collection: string, why: string): ProtocolError {
  return new ProtocolError('RESET_REQUIRED', `The checkpoint ${why}; pull again from checkpoint null`, {
    collection,
  });
}
