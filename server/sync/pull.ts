import type {
  Change,
  PullFilter,
  PullRequest,
  PullResponse,
  RecordValue,
} from '../../src/protocol/messages.js';
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
  const position = await readPosition(db, collection.name, owner);

  let state: CheckpointState;
  if (request.checkpoint === null) {
    state = {
      mode: 'snapshot',
      seq: position.seq,
      after: null,
      total: await countAlive(db, collection.name, owner, filter),
    };
  } else {
    state = decodeCheckpoint(meta.checkpointSecret, binding, request.checkpoint);
    // A position beyond the log means the database went back in time (restored from a backup).
    if (state.seq > position.seq) throw resetRequired(collection.name, 'is ahead of the server');
  }

  const page =
    state.mode === 'snapshot'
      ? await snapshotPage(db, collection.name, owner, state, windowSize, filter, position.seq)
      : await changesPage(db, collection.name, owner, state.seq, windowSize, filter);

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

async function snapshotPage(
  db: Database,
  collection: string,
  owner: string,
  state: Extract<CheckpointState, { mode: 'snapshot' }>,
  windowSize: number,
  filter: PullFilter | undefined,
  currentSeq: number,
): Promise<Page> {
  const params: unknown[] = [collection, owner, windowSize + 1];
  let where = 'collection = $1 AND owner = $2 AND NOT deleted';
  if (state.after !== null) {
    params.push(state.after);
    where += ` AND id > $${params.length}`;
  }
  if (filter !== undefined) {
    params.push(JSON.stringify(filter));
    where += ` AND value @> $${params.length}::jsonb`;
  }
  const { rows } = await db.query<{ id: string; rev: unknown; value: RecordValue }>(
    `SELECT id, rev, value FROM records WHERE ${where} ORDER BY id LIMIT $3`,
    params,
  );
  const full = rows.length > windowSize;
  const changes: Change[] = rows
    .slice(0, windowSize)
    .map((r) => ({ id: r.id, rev: String(toInt(r.rev)), op: 'put', value: r.value }));
  if (full) {
    const until = changes[changes.length - 1]!.id;
    return {
      changes,
      next: { ...state, after: until },
      moreAvailable: true,
      range: { after: state.after, until },
    };
  }
  return {
    changes,
    next: { mode: 'changes', seq: state.seq },
    moreAvailable: currentSeq > state.seq,
    range: { after: state.after, until: null },
  };
}

async function changesPage(
  db: Database,
  collection: string,
  owner: string,
  after: number,
  windowSize: number,
  filter: PullFilter | undefined,
): Promise<Page> {
  // One entry per record (its latest change) in seq order; seq is unique per (collection, owner),
  // so there are no ties to break.
  const matches = filter === undefined ? 'true' : 'value @> $5::jsonb';
  const params: unknown[] = [collection, owner, after, windowSize + 1];
  if (filter !== undefined) params.push(JSON.stringify(filter));
  const { rows } = await db.query<{
    id: string;
    rev: unknown;
    deleted: boolean;
    value: RecordValue | null;
    matches: boolean;
  }>(
    `SELECT id, rev, deleted, value, (${matches}) AS matches FROM records
     WHERE collection = $1 AND owner = $2 AND rev > $3 ORDER BY rev LIMIT $4`,
    params,
  );
  const page = rows.slice(0, windowSize);
  const changes: Change[] = page.map((r) => {
    const rev = String(toInt(r.rev));
    // A record that no longer matches the filter leaves the client's view: a delete for it.
    return r.deleted || r.value === null || !r.matches
      ? { id: r.id, rev, op: 'delete' }
      : { id: r.id, rev, op: 'put', value: r.value };
  });
  const last = page[page.length - 1];
  return {
    changes,
    next: { mode: 'changes', seq: last === undefined ? after : toInt(last.rev) },
    moreAvailable: rows.length > windowSize,
  };
}

async function readPosition(db: Database, collection: string, owner: string) {
  const { rows } = await db.query<{ seq: unknown; horizon: unknown }>(
    `SELECT seq, horizon FROM collection_seq WHERE collection = $1 AND owner = $2`,
    [collection, owner],
  );
  const row = rows[0];
  return row === undefined ? { seq: 0, horizon: 0 } : { seq: toInt(row.seq), horizon: toInt(row.horizon) };
}

async function countAlive(db: Database, collection: string, owner: string, filter: PullFilter | undefined) {
  const params: unknown[] = [collection, owner];
  if (filter !== undefined) params.push(JSON.stringify(filter));
  const { rows } = await db.query<{ n: unknown }>(
    `SELECT count(*) AS n FROM records WHERE collection = $1 AND owner = $2 AND NOT deleted${
      filter === undefined ? '' : ' AND value @> $3::jsonb'
    }`,
    params,
  );
  return toInt(rows[0]!.n);
}

function resetRequired(collection: string, why: string): ProtocolError {
  return new ProtocolError('RESET_REQUIRED', `The checkpoint ${why}; pull again from checkpoint null`, {
    collection,
  });
}
