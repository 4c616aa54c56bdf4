import type { Queryable } from '../db/database.js';
import { toInt } from '../db/database.js';
import { readRecord, writeRecord } from '../sync/records.js';
import type { CollectionStore, Scope } from './collection-store.js';
import { ENVELOPE_BYTES, type PageRow, toPage, withinBudget } from './page-sql.js';

/**
 * Bytes a row adds to a page: its value's JSON (stored at write; computed for rows written by bulk
 * SQL) plus its id and the envelope.
 */
const ROW_BYTES = `CASE WHEN deleted THEN 0 ELSE coalesce(value_bytes, octet_length(value::text), 0) END
  + octet_length(id) + ${ENVELOPE_BYTES}`;

/**
 * The built-in store: every collection's records in the server's `records` table, which is the data
 * and the change log at once (`rev` is the position of a record's last change; tombstones are rows
 * with `deleted`). The default store of every collection.
 */
export const recordsTable: CollectionStore = {
  kind: 'records',
  lockOrder: 'sequence-first',

  async count(q, scope, filter) {
    const params: unknown[] = [scope.collection, scope.owner];
    if (filter !== undefined) params.push(JSON.stringify(filter));
    const { rows } = await q.query<{ n: unknown }>(
      `SELECT count(*) AS n FROM records WHERE collection = $1 AND owner = $2 AND NOT deleted${
        filter === undefined ? '' : ' AND value @> $3::jsonb'
      }`,
      params,
    );
    return toInt(rows[0]!.n);
  },

  async snapshotPage(q, scope, after, page) {
    const params: unknown[] = [scope.collection, scope.owner, page.limit + 1, page.maxBytes];
    let where = 'collection = $1 AND owner = $2 AND NOT deleted';
    if (after !== null) {
      params.push(after);
      where += ` AND id > $${params.length}`;
    }
    if (page.filter !== undefined) {
      params.push(JSON.stringify(page.filter));
      where += ` AND value @> $${params.length}::jsonb`;
    }
    const { rows } = await q.query<PageRow>(
      withinBudget(
        `SELECT id, rev, deleted, value, ${ROW_BYTES} AS bytes FROM records WHERE ${where} ORDER BY id LIMIT $3`,
        'id',
        '$4',
      ),
      params,
    );
    return toPage(rows, page.limit);
  },

  async changesPage(q, scope, afterSeq, page) {
    // One entry per record (its latest change) in seq order; seq is unique per (collection, owner),
    // so there are no ties to break. A record that no longer matches the filter is sent as a delete,
    // without its value: it counts as deleted for the budget.
    const matches = page.filter === undefined ? 'true' : 'value @> $6::jsonb';
    const params: unknown[] = [scope.collection, scope.owner, afterSeq, page.limit + 1, page.maxBytes];
    if (page.filter !== undefined) params.push(JSON.stringify(page.filter));
    const { rows } = await q.query<PageRow>(
      withinBudget(
        `SELECT id, rev, deleted, CASE WHEN deleted THEN NULL ELSE value END AS value, ${ROW_BYTES} AS bytes
         FROM (SELECT id, rev, (deleted OR NOT (${matches})) AS deleted, value, value_bytes FROM records
               WHERE collection = $1 AND owner = $2 AND rev > $3 ORDER BY rev LIMIT $4) log`,
        'rev',
        '$5',
      ),
      params,
    );
    return toPage(rows, page.limit);
  },

  read: (tx: Queryable, scope: Scope, id: string) => readRecord(tx, scope.collection, scope.owner, id),

  async write(tx, scope, write) {
    const rev = await writeRecord(tx, { ...scope, ...write });
    return { rev };
  },
};
