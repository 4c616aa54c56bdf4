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
      total: await countAlive(db, collection.name, owner, filter),
    };
  } else {
    state = decodeCheckpoint(meta.checkpointSecret, binding, request.checkpoint);
    // A position beyond the log means the database went back in time (restored from a backup).
    if (state.seq > position.seq) throw resetRequired(collection.name, 'is ahead of the server');
  }

  const budget = runtime.options.maxPageBytes;
  const page =
    state.mode === 'snapshot'
      ? await snapshotPage(db, collection.name, owner, state, windowSize, budget, filter, position.seq)
      : await changesPage(db, collection.name, owner, state.seq, windowSize, budget, filter);

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

/**
 * Bytes a change adds to a page: its value's JSON (stored at write; computed for rows written by
 * bulk SQL) plus its id and the envelope. An estimate, within a few dozen bytes per change.
 */
const CHANGE_BYTES = `CASE WHEN deleted THEN 0 ELSE coalesce(value_bytes, octet_length(value::text), 0) END
  + octet_length(id) + 48`;

/**
 * Wraps a page query (`head`: at most `windowSize + 1` rows in page order, with `deleted`, `value`,
 * `value_bytes`, `id`) so the database returns only the rows within the byte budget: rows while
 * the running size stays within `$budget`, and always the first one. `head_count` tells whether the
 * budget cut the page. Values past the budget never leave the database, so the server's memory per
 * page is bounded by the budget (plus one record), whatever the window.
 */
function withinBudget(head: string, order: string, budgetParam: string): string {
  return `SELECT * FROM (
      SELECT head.*,
             row_number() OVER (ORDER BY ${order}) AS n,
             sum(${CHANGE_BYTES}) OVER (ORDER BY ${order}) AS running,
             count(*) OVER () AS head_count
      FROM (${head}) head
    ) page
    WHERE n = 1 OR running <= ${budgetParam}
    ORDER BY ${order}`;
}

/** Rows of a page, trimmed to the window; `cut` when more rows remain after them. */
function trim<Row>(rows: (Row & { head_count: unknown })[], windowSize: number) {
  const page = rows.slice(0, windowSize);
  const headCount = rows[0] === undefined ? 0 : toInt(rows[0].head_count);
  return { page, cut: rows.length > windowSize || page.length < headCount };
}

async function snapshotPage(
  db: Database,
  collection: string,
  owner: string,
  state: Extract<CheckpointState, { mode: 'snapshot' }>,
  windowSize: number,
  budget: number,
  filter: PullFilter | undefined,
  currentSeq: number,
): Promise<Page> {
  const params: unknown[] = [collection, owner, windowSize + 1, budget];
  let where = 'collection = $1 AND owner = $2 AND NOT deleted';
  if (state.after !== null) {
    params.push(state.after);
    where += ` AND id > $${params.length}`;
  }
  if (filter !== undefined) {
    params.push(JSON.stringify(filter));
    where += ` AND value @> $${params.length}::jsonb`;
  }
  const { rows } = await db.query<{ id: string; rev: unknown; value: RecordValue; head_count: unknown }>(
    withinBudget(
      `SELECT id, rev, deleted, value, value_bytes FROM records WHERE ${where} ORDER BY id LIMIT $3`,
      'id',
      '$4',
    ),
    params,
  );
  const { page, cut } = trim(rows, windowSize);
  const changes: Change[] = page.map((r) => ({
    id: r.id,
    rev: String(toInt(r.rev)),
    op: 'put',
    value: r.value,
  }));
  if (cut) {
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
  budget: number,
  filter: PullFilter | undefined,
): Promise<Page> {
  // One entry per record (its latest change) in seq order; seq is unique per (collection, owner),
  // so there are no ties to break. A record that no longer matches the filter is sent as a delete,
  // without its value: it counts as deleted for the budget.
  const matches = filter === undefined ? 'true' : 'value @> $6::jsonb';
  const params: unknown[] = [collection, owner, after, windowSize + 1, budget];
  if (filter !== undefined) params.push(JSON.stringify(filter));
  const { rows } = await db.query<{
    id: string;
    rev: unknown;
    deleted: boolean;
    value: RecordValue | null;
    head_count: unknown;
  }>(
    withinBudget(
      `SELECT id, rev, gone AS deleted, CASE WHEN gone THEN NULL ELSE value END AS value, value_bytes
       FROM (SELECT id, rev, (deleted OR NOT (${matches})) AS gone, value, value_bytes FROM records
             WHERE collection = $1 AND owner = $2 AND rev > $3 ORDER BY rev LIMIT $4) log`,
      'rev',
      '$5',
    ),
    params,
  );
  const { page, cut } = trim(rows, windowSize);
  const changes: Change[] = page.map((r) => {
    const rev = String(toInt(r.rev));
    return r.deleted || r.value === null
      ? { id: r.id, rev, op: 'delete' }
      : { id: r.id, rev, op: 'put', value: r.value };
  });
  const last = page[page.length - 1];
  return {
    changes,
    next: { mode: 'changes', seq: last === undefined ? after : toInt(last.rev) },
    moreAvailable: cut,
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
