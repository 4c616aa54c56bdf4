import type { Change, RecordValue } from '../../src/protocol/messages.js';
import { toInt } from '../db/database.js';
import type { PageRows } from './collection-store.js';

/**
 * Wraps a page query (`head`: at most `limit + 1` rows in page order, with a `bytes` column: the
 * size a row adds to the page) so the database returns only the rows within the byte budget: rows
 * while the running size stays within `budgetParam`, and always the first one. `head_count` tells
 * whether the budget cut the page. Values past the budget never leave the database, so the server's
 * memory per page is bounded by the budget (plus one record), whatever the window.
 */
export function withinBudget(head: string, order: string, budgetParam: string): string {
  return `SELECT * FROM (
      SELECT head.*,
             row_number() OVER (ORDER BY ${order}) AS n,
             sum(bytes) OVER (ORDER BY ${order}) AS running,
             count(*) OVER () AS head_count
      FROM (${head}) head
    ) page
    WHERE n = 1 OR running <= ${budgetParam}
    ORDER BY ${order}`;
}

/** A row of a page query: a put when `value` is set and not `deleted`, else a delete. */
export interface PageRow {
  id: string;
  rev: unknown;
  deleted: boolean;
  value: RecordValue | null;
  head_count: unknown;
}

/** The changes of a page, trimmed to the window; `cut` when more rows remain after them. */
export function toPage(rows: PageRow[], limit: number): PageRows {
  const page = rows.slice(0, limit);
  const headCount = rows[0] === undefined ? 0 : toInt(rows[0].head_count);
  const changes: Change[] = page.map((r) => {
    const rev = String(toInt(r.rev));
    return r.deleted || r.value === null
      ? { id: r.id, rev, op: 'delete' }
      : { id: r.id, rev, op: 'put', value: r.value };
  });
  return { changes, cut: rows.length > limit || page.length < headCount };
}

/** Bytes a change adds to a page beyond its value's JSON: its id and the envelope (an estimate). */
export const ENVELOPE_BYTES = 48;
