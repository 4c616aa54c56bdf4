import type { RecordValue } from '../../src/protocol/messages.js';
import type { Database, Queryable } from '../db/database.js';
import { toInt } from '../db/database.js';
import { lockSequence, writeRecord } from '../sync/records.js';
import { backfill, CAPTURE_FUNCTIONS, captureTriggers, ident, literal } from './app-table-sql.js';
import type { CollectionStore, Scope, StoreWrite, StoreWriteOutcome } from './collection-store.js';
import { ENVELOPE_BYTES, type PageRow, toPage, withinBudget } from './page-sql.js';

/** Options of {@link appTable}. */
export interface AppTableOptions {
  /** The table, optionally schema-qualified (`work_orders`, `app.work_orders`). */
  table: string;
  /**
   * Its key column, with a unique index: the record ids. Types `text`/`varchar`, `uuid`, `integer`
   * and `bigint` (ids travel as strings: `'42'`). Default `'id'`.
   */
  key?: string;
  /**
   * The column holding the user id of each row's owner: required for a per-user collection (each
   * user syncs the rows they own), absent for a shared one.
   */
  owner?: string;
  /**
   * The synced columns, as a list of column names (the value's fields have the same names) or a map
   * from field name to column name (`{ dueDate: 'due_date' }`). Default: every column but the key
   * and owner ones. Columns left out are neither sent nor written (the app's own bookkeeping).
   */
  columns?: readonly string[] | Readonly<Record<string, string>>;
}

/** Key column types the store can read ids back from, by the check an id must pass. */
const KEY_TYPES: Record<string, (id: string) => boolean> = {
  text: () => true,
  'character varying': () => true,
  uuid: (id) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id),
  integer: (id) => canonicalInteger(id, 2n ** 31n),
  bigint: (id) => canonicalInteger(id, 2n ** 63n),
  smallint: (id) => canonicalInteger(id, 2n ** 15n),
};

function canonicalInteger(id: string, limit: bigint): boolean {
  if (!/^-?(0|[1-9]\d*)$/.test(id)) return false;
  const n = BigInt(id);
  return n >= -limit && n < limit;
}

/** What {@link appTable} learns from the database catalog when the server starts. */
interface Resolved {
  table: string;
  key: string;
  keyType: string;
  owner: string | undefined;
  /** field → column */
  fields: [string, string][];
  /** SQL of the value of row `t`: `jsonb_build_object('field', t."column", …)`. */
  valueSql: string;
}

/**
 * A collection served from an application's own table: the app keeps its table and columns, and
 * every change to a row — made through the sync server, or by plain SQL from another service, a
 * migration or psql — reaches clients with the same guarantees as the built-in store (checkpoints,
 * snapshot paging by id, exactly-once pushes, tombstones, compaction).
 *
 * Change capture is a trigger on the table (installed with the server's schema; see
 * docs/backend.md): each row change takes the next position of the row owner's change log under
 * the same row lock the sync server's writers take, and records the row's version in the server's
 * `records` table (the value stays in the app's table). A push writes the app's columns: a put is an
 * `INSERT`/`UPDATE` of the mapped columns, a delete a `DELETE` of the row.
 *
 * @example
 * const sync = await createSyncServer({
 *   storage: postgresStorage({ connectionString: process.env.DATABASE_URL! }),
 *   collections: [
 *     {
 *       name: 'work_orders',
 *       scope: 'user',
 *       store: appTable({ table: 'work_orders', key: 'id', owner: 'technician_id', columns: { title: 'title', dueDate: 'due_date' } }),
 *     },
 *   ],
 * });
 */
export function appTable(options: AppTableOptions): CollectionStore {
  let resolved: Resolved | undefined;
  const r = () => {
    if (resolved === undefined)
      throw new Error(`appTable(${options.table}) is used before the server opened it`);
    return resolved;
  };
  const ownerMatch = (alias: string, scope: string) =>
    r().owner === undefined ? 'true' : `${alias}.${ident(r().owner!)}::text = ${scope}`;
  const keyOf = (param: string) => `${param}::${r().keyType}`;

  return {
    kind: 'app-table',
    lockOrder: 'row-first',

    async install(db, collection, { migrate }) {
      resolved = await resolve(db, options, collection);
      const res = resolved;
      if (!migrate) {
        const { rows } = await db.query(
          `SELECT 1 FROM pg_trigger WHERE tgrelid = $1::regclass AND tgname = 'idb_sync_capture'`,
          [ident(res.table)],
        );
        if (rows.length === 0) {
          throw new Error(
            `${res.table} has no change-capture trigger: start the server once with autoMigrate (or run the schema update)`,
          );
        }
        return;
      }
      const rowId = `t.${ident(res.key)}::text`;
      const rowOwner = res.owner === undefined ? `''` : `coalesce(t.${ident(res.owner)}::text, '')`;
      await db.exec(CAPTURE_FUNCTIONS);
      await db.transaction(async (tx) => {
        for (const sql of captureTriggers(res.table, collection.name, res.key, res.owner ?? '')) {
          await tx.query(sql);
        }
        for (const sql of backfill(res.table, collection.name, rowId, rowOwner)) await tx.query(sql);
      });
    },

    async count(q, scope, filter) {
      const params: unknown[] = [scope.collection, scope.owner];
      let join = '';
      if (filter !== undefined) {
        params.push(JSON.stringify(filter));
        join = `JOIN ${ident(r().table)} t ON t.${ident(r().key)} = ${keyOf('r.id')} AND ${ownerMatch('t', 'r.owner')}
                AND ${r().valueSql} @> $3::jsonb`;
      }
      const { rows } = await q.query<{ n: unknown }>(
        `SELECT count(*) AS n FROM records r ${join} WHERE r.collection = $1 AND r.owner = $2 AND NOT r.deleted`,
        params,
      );
      return toInt(rows[0]!.n);
    },

    async snapshotPage(q, scope, after, page) {
      const params: unknown[] = [scope.collection, scope.owner, page.limit + 1, page.maxBytes];
      let where = 'r.collection = $1 AND r.owner = $2 AND NOT r.deleted';
      if (after !== null) {
        params.push(after);
        where += ` AND r.id > $${params.length}`;
      }
      if (page.filter !== undefined) {
        params.push(JSON.stringify(page.filter));
        where += ` AND v.value @> $${params.length}::jsonb`;
      }
      const { rows } = await q.query<PageRow>(
        withinBudget(
          `SELECT r.id, r.rev, false AS deleted, v.value,
                  octet_length(v.value::text) + octet_length(r.id) + ${ENVELOPE_BYTES} AS bytes
           FROM records r
           JOIN ${ident(r().table)} t ON t.${ident(r().key)} = ${keyOf('r.id')} AND ${ownerMatch('t', 'r.owner')}
           CROSS JOIN LATERAL (SELECT ${r().valueSql} AS value) v
           WHERE ${where} ORDER BY r.id LIMIT $3`,
          'id',
          '$4',
        ),
        params,
      );
      return toPage(rows, page.limit);
    },

    async changesPage(q, scope, afterSeq, page) {
      const params: unknown[] = [scope.collection, scope.owner, afterSeq, page.limit + 1, page.maxBytes];
      const matches = page.filter === undefined ? 'true' : 'v.value @> $6::jsonb';
      if (page.filter !== undefined) params.push(JSON.stringify(page.filter));
      // A version without its row (deleted; or deleted while the trigger was off) is a delete, as is
      // a row that no longer matches the filter.
      const { rows } = await q.query<PageRow>(
        withinBudget(
          `SELECT id, rev, gone AS deleted, CASE WHEN gone THEN NULL ELSE value END AS value,
                  CASE WHEN gone THEN 0 ELSE octet_length(value::text) END + octet_length(id) + ${ENVELOPE_BYTES} AS bytes
           FROM (
             SELECT r.id, r.rev, (r.deleted OR t.${ident(r().key)} IS NULL OR NOT (${matches})) AS gone, v.value
             FROM records r
             LEFT JOIN ${ident(r().table)} t
               ON NOT r.deleted AND t.${ident(r().key)} = ${keyOf('r.id')} AND ${ownerMatch('t', 'r.owner')}
             LEFT JOIN LATERAL (SELECT ${r().valueSql} AS value) v ON t.${ident(r().key)} IS NOT NULL
             WHERE r.collection = $1 AND r.owner = $2 AND r.rev > $3 ORDER BY r.rev LIMIT $4
           ) log`,
          'rev',
          '$5',
        ),
        params,
      );
      return toPage(rows, page.limit);
    },

    async read(tx, scope, id) {
      const { rows: versions } = await tx.query<{
        rev: unknown;
        deleted: boolean;
        written_by: string | null;
      }>(`SELECT rev, deleted, written_by FROM records WHERE collection = $1 AND owner = $2 AND id = $3`, [
        scope.collection,
        scope.owner,
        id,
      ]);
      const version = versions[0];
      let row: { value: RecordValue; mine: boolean } | undefined;
      if (KEY_TYPES[r().keyType]!(id)) {
        // Locks the row: every writer of the table locks the row before the change log (its trigger).
        const { rows } = await tx.query<{ value: RecordValue; mine: boolean }>(
          `SELECT ${r().valueSql} AS value, ${ownerMatch('t', '$2')} AS mine
           FROM ${ident(r().table)} t WHERE t.${ident(r().key)} = ${keyOf('$1')} FOR UPDATE`,
          [id, scope.owner],
        );
        row = rows[0];
      }
      if (row?.mine && version !== undefined && !version.deleted) {
        return {
          id,
          rev: toInt(version.rev),
          deleted: false,
          value: row.value,
          writtenBy: version.written_by,
        };
      }
      if (version === undefined) return null;
      // A version whose row is gone (or moved to another owner) is a tombstone.
      return { id, rev: toInt(version.rev), deleted: true, value: null, writtenBy: version.written_by };
    },

    async write(tx, scope, write) {
      try {
        return await writeRow(tx, scope, write);
      } catch (error) {
        // The table's own rules (NOT NULL, CHECK, foreign keys) refused this value: a content error,
        // which the engine answers `rejected` for this mutation alone.
        const code = (error as { code?: unknown }).code;
        if (typeof code === 'string' && code.startsWith('23'))
          throw Object.assign(error as Error, { content: true });
        throw error;
      }
    },
  };

  async function writeRow(tx: Queryable, scope: Scope, write: StoreWrite): Promise<StoreWriteOutcome> {
    const res = r();
    const refused = (reason: 'invalid' | 'forbidden', code: string, message: string) => ({
      refused: { reason, code, message },
    });
    if (!KEY_TYPES[res.keyType]!(write.id)) {
      return refused('invalid', 'INVALID_ID', `Ids of ${scope.collection} are ${res.keyType} values`);
    }
    await tx.query(`SELECT set_config('idb_sync.writer', $1, true)`, [write.writtenBy ?? '']);
    const table = ident(res.table);
    const keyCol = ident(res.key);
    if (write.value === null) {
      const deleted = await tx.query(
        `DELETE FROM ${table} t WHERE t.${keyCol} = ${keyOf('$1')} AND ${ownerMatch('t', '$2')}`,
        [write.id, scope.owner],
      );
      // No row: a tombstone all the same (a delete of a record the table no longer has).
      if (deleted.rowCount === 0) {
        await lockSequence(tx, scope.collection, scope.owner);
        return {
          rev: await writeRecord(tx, { ...scope, id: write.id, value: null, writtenBy: write.writtenBy }),
        };
      }
      return { rev: await versionOf(tx, scope, write.id) };
    }
    const columns = toColumns(res, scope, write.id, write.value);
    if ('problem' in columns) return refused('invalid', 'UNKNOWN_FIELD', columns.problem);
    const names = res.fields.map(([, column]) => ident(column));
    const json = JSON.stringify(columns.row);
    const updated = await tx.query(
      `UPDATE ${table} t SET (${names.join(', ')}) = (SELECT ${names.map((n) => `p.${n}`).join(', ')}
           FROM jsonb_populate_record(NULL::${table}, $3::jsonb) p)
         WHERE t.${keyCol} = ${keyOf('$1')} AND ${ownerMatch('t', '$2')}`,
      [write.id, scope.owner, json],
    );
    if (updated.rowCount === 0) {
      // Not this user's row. Ids are unique across the table: another user's row keeps its id.
      const { rows: taken } = await tx.query<{ mine: boolean }>(
        `SELECT ${ownerMatch('t', '$2')} AS mine FROM ${table} t WHERE t.${keyCol} = ${keyOf('$1')} FOR UPDATE`,
        [write.id, scope.owner],
      );
      if (taken[0] !== undefined && !taken[0].mine) {
        return refused('forbidden', 'ID_TAKEN', `The id ${write.id} is taken in ${scope.collection}`);
      }
      // A new row: synced fields the value leaves out get the columns' defaults.
      const value = write.value;
      const present = res.fields.filter(([field]) => field in value).map(([, column]) => ident(column));
      const all = [keyCol, ...(res.owner === undefined ? [] : [ident(res.owner)]), ...present];
      const inserted = await tx.query(
        `INSERT INTO ${table} (${all.join(', ')})
         SELECT ${all.map((n) => `p.${n}`).join(', ')} FROM jsonb_populate_record(NULL::${table}, $1::jsonb) p
         ON CONFLICT (${keyCol}) DO NOTHING`,
        [json],
      );
      // Created since `read` by another writer: the engine runs the mutation again (a conflict).
      if (inserted.rowCount === 0 || taken[0] !== undefined) {
        throw Object.assign(new Error('The record was created concurrently'), { code: '40001' });
      }
    }
    return { rev: await versionOf(tx, scope, write.id) };
  }
}

/** The rev the trigger gave the row's last change. */
async function versionOf(tx: Queryable, scope: Scope, id: string): Promise<number> {
  const { rows } = await tx.query<{ rev: unknown }>(
    `SELECT rev FROM records WHERE collection = $1 AND owner = $2 AND id = $3`,
    [scope.collection, scope.owner, id],
  );
  if (rows[0] === undefined)
    throw new Error(`No change-log entry for ${scope.collection} ${id}: is the trigger installed?`);
  return toInt(rows[0].rev);
}

/**
 * A value's fields as the table's columns (plus key and owner), for `jsonb_populate_record`. A field
 * the table does not sync is refused rather than dropped; fields named like the key or owner column
 * are accepted when they hold this record's id and owner (clients keep the id in their records).
 */
function toColumns(
  res: Resolved,
  scope: Scope,
  id: string,
  value: RecordValue,
): { row: Record<string, unknown> } | { problem: string } {
  const row: Record<string, unknown> = { [res.key]: id };
  if (res.owner !== undefined) row[res.owner] = scope.owner;
  const byField = new Map(res.fields);
  for (const [field, v] of Object.entries(value)) {
    const column = byField.get(field);
    if (column !== undefined) row[column] = v;
    else if (field === res.key && String(v) === id) continue;
    else if (field === res.owner && String(v) === scope.owner) continue;
    else return { problem: `The field ${field} is not a column of ${res.table}` };
  }
  // A put replaces the whole value: synced columns it leaves out become NULL.
  for (const [, column] of res.fields) if (!(column in row)) row[column] = null;
  return { row };
}

/** Reads the table's columns and key from the catalog and checks the options against them. */
async function resolve(
  db: Database,
  options: AppTableOptions,
  collection: { name: string; scope: 'user' | 'shared' },
): Promise<Resolved> {
  const where = `appTable({ table: ${JSON.stringify(options.table)} }) of collection ${collection.name}`;
  const key = options.key ?? 'id';
  if (collection.scope === 'user' && options.owner === undefined) {
    throw new Error(`${where}: a per-user collection needs the owner column (option owner)`);
  }
  if (collection.scope === 'shared' && options.owner !== undefined) {
    throw new Error(`${where}: a shared collection has no owner column`);
  }
  const { rows: exists } = await db.query<{ t: string | null }>(`SELECT to_regclass($1)::text AS t`, [
    ident(options.table),
  ]);
  if (exists[0]?.t == null) throw new Error(`${where}: no such table`);
  const { rows: cols } = await db.query<{ name: string; type: string; num: number }>(
    `SELECT attname AS name, format_type(atttypid, NULL) AS type, attnum AS num FROM pg_attribute
     WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    [ident(options.table)],
  );
  const types = new Map(cols.map((c) => [c.name, c.type]));
  const keyType = types.get(key);
  if (keyType === undefined) throw new Error(`${where}: no key column ${key}`);
  if (KEY_TYPES[keyType] === undefined) {
    throw new Error(`${where}: key column ${key} is ${keyType}; use text, varchar, uuid, integer or bigint`);
  }
  const keyNum = cols.find((c) => c.name === key)!.num;
  const { rows: unique } = await db.query(
    `SELECT 1 FROM pg_index WHERE indrelid = $1::regclass AND indisunique AND indnatts = 1 AND indkey[0] = $2`,
    [ident(options.table), keyNum],
  );
  if (unique.length === 0)
    throw new Error(`${where}: key column ${key} needs a unique index (a primary key)`);
  if (options.owner !== undefined && !types.has(options.owner)) {
    throw new Error(`${where}: no owner column ${options.owner}`);
  }
  const given = options.columns;
  const fields: [string, string][] =
    given === undefined
      ? cols.filter((c) => c.name !== key && c.name !== options.owner).map((c) => [c.name, c.name])
      : Array.isArray(given)
        ? given.map((c: string) => [c, c])
        : Object.entries(given as Record<string, string>);
  for (const [, column] of fields) {
    if (!types.has(column)) throw new Error(`${where}: no column ${column}`);
    if (column === key || column === options.owner) {
      throw new Error(`${where}: the key and owner columns are not value fields`);
    }
  }
  // jsonb_build_object takes at most 100 arguments: 50 fields per call, joined with ||.
  const parts: string[] = [];
  for (let i = 0; i < fields.length; i += 50) {
    parts.push(
      `jsonb_build_object(${fields
        .slice(i, i + 50)
        .map(([field, column]) => `${literal(field)}, t.${ident(column)}`)
        .join(', ')})`,
    );
  }
  return {
    table: options.table,
    key,
    keyType: keyType === 'character varying' ? 'text' : keyType,
    owner: options.owner,
    fields,
    valueSql: parts.length === 0 ? `'{}'::jsonb` : parts.join(' || '),
  };
}
