// SQL of the app-table store: the change-capture triggers and the backfill that gives rows already
// in the table their place in the change log. PL/pgSQL, for PostgreSQL 13+ and PGlite alike.

/** A quoted SQL identifier; `schema.table` is quoted part by part. */
export function ident(name: string): string {
  return name
    .split('.')
    .map((part) => `"${part.replaceAll('"', '""')}"`)
    .join('.');
}

/** A quoted SQL string literal. */
export function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * One capture function for every synced table, taking (collection, key column, owner column or '')
 * as trigger arguments. For each row written — by the sync server, another service, a migration or
 * psql — it takes the next position of the row's change log `(collection, owner)` and records the
 * row's version there (`records` with `value` NULL: the value stays in the app's table), or a
 * tombstone for a deleted row. Taking the position locks the `collection_seq` row until commit, the
 * same lock the sync server's writers take, so commit order equals position order and no reader can
 * skip a change. A row whose key or owner changed is a delete where it was and a put where it is.
 *
 * `SET search_path FROM CURRENT` pins the schema of the sync tables: the function works whatever the
 * search path of the session that writes the row. The writer (a push's client id) comes from the
 * transaction-local setting `idb_sync.writer`; other writers leave it unset (NULL).
 */
export const CAPTURE_FUNCTIONS = `
CREATE OR REPLACE FUNCTION idb_sync_log(coll text, own text, rid text, gone boolean) RETURNS void
LANGUAGE plpgsql SET search_path FROM CURRENT AS $fn$
DECLARE
  pos bigint;
BEGIN
  INSERT INTO collection_seq AS s (collection, owner, seq) VALUES (coll, own, 1)
    ON CONFLICT (collection, owner) DO UPDATE SET seq = s.seq + 1
    RETURNING s.seq INTO pos;
  INSERT INTO records (collection, owner, id, rev, deleted, value, value_bytes, written_by, updated_at)
    VALUES (coll, own, rid, pos, gone, NULL, NULL, nullif(current_setting('idb_sync.writer', true), ''), now())
    ON CONFLICT (collection, owner, id) DO UPDATE
      SET rev = EXCLUDED.rev, deleted = EXCLUDED.deleted, value = NULL, value_bytes = NULL,
          written_by = EXCLUDED.written_by, updated_at = EXCLUDED.updated_at;
  -- A writer other than the sync server (which pokes its own changes): wake the instances listening
  -- on this schema's channel (server/notify/notifier.ts) at COMMIT. The payload names no position, so
  -- PostgreSQL sends one notification per (collection, owner) per transaction however many rows it
  -- wrote; the instances read the position when they hear it. Only PostgreSQL listens.
  IF current_setting('idb_sync.writer', true) IS NULL OR current_setting('idb_sync.writer', true) = '' THEN
    PERFORM pg_notify(
      'idb_sync_' || left(encode(sha256(convert_to(current_schema(), 'UTF8')), 'hex'), 16),
      json_build_object('i', 'sql', 's', json_build_array(coll, own))::text);
  END IF;
END
$fn$;

CREATE OR REPLACE FUNCTION idb_sync_capture() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $fn$
DECLARE
  coll text := TG_ARGV[0];
  key_col text := TG_ARGV[1];
  owner_col text := TG_ARGV[2];
  old_id text; old_owner text; new_id text; new_owner text;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    old_id := to_jsonb(OLD) ->> key_col;
    old_owner := CASE WHEN owner_col = '' THEN '' ELSE coalesce(to_jsonb(OLD) ->> owner_col, '') END;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    new_id := to_jsonb(NEW) ->> key_col;
    new_owner := CASE WHEN owner_col = '' THEN '' ELSE coalesce(to_jsonb(NEW) ->> owner_col, '') END;
  END IF;
  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND (old_id, old_owner) IS DISTINCT FROM (new_id, new_owner)) THEN
    PERFORM idb_sync_log(coll, old_owner, old_id, true);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM idb_sync_log(coll, new_owner, new_id, false);
  END IF;
  RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION idb_sync_capture_truncate() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $fn$
BEGIN
  PERFORM idb_sync_tombstone_missing(TG_ARGV[0], NULL);
  RETURN NULL;
END
$fn$;

-- Tombstones, at new positions, the live versions of a collection whose row is gone: every one
-- after a TRUNCATE (present_rows NULL), else those whose id is not in present_rows.
CREATE OR REPLACE FUNCTION idb_sync_tombstone_missing(coll text, present_rows text) RETURNS bigint
LANGUAGE plpgsql SET search_path FROM CURRENT AS $fn$
DECLARE
  gone bigint;
BEGIN
  EXECUTE format($q$
    WITH missing AS (
      SELECT r.owner, r.id FROM records r
      WHERE r.collection = $1 AND NOT r.deleted
        AND ($2::text IS NULL OR NOT EXISTS (SELECT 1 FROM %s p WHERE p.id = r.id AND p.owner = r.owner))
    ),
    counts AS (SELECT owner, count(*) AS n FROM missing GROUP BY owner),
    bumped AS (
      UPDATE collection_seq s SET seq = s.seq + c.n FROM counts c
      WHERE s.collection = $1 AND s.owner = c.owner RETURNING s.owner, s.seq
    ),
    numbered AS (
      SELECT m.owner, m.id, b.seq - c.n + row_number() OVER (PARTITION BY m.owner ORDER BY m.id) AS rev
      FROM missing m JOIN counts c USING (owner) JOIN bumped b USING (owner)
    )
    UPDATE records r SET deleted = true, rev = n.rev, value = NULL, value_bytes = NULL,
      written_by = nullif(current_setting('idb_sync.writer', true), ''), updated_at = now()
    FROM numbered n WHERE r.collection = $1 AND r.owner = n.owner AND r.id = n.id$q$,
    coalesce(present_rows, '(SELECT NULL::text AS id, NULL::text AS owner)'))
  USING coll, present_rows;
  GET DIAGNOSTICS gone = ROW_COUNT;
  RETURN gone;
END
$fn$;
`;

/**
 * The triggers of one table: inserts and deletes, updates that change something (an `UPDATE` that
 * leaves the row as it was takes no position), and TRUNCATE. Recreated on each install.
 */
export function captureTriggers(table: string, collection: string, key: string, owner: string): string[] {
  const args = [collection, key, owner].map(literal).join(', ');
  const on = ident(table);
  return [
    `DROP TRIGGER IF EXISTS idb_sync_capture ON ${on}`,
    `CREATE TRIGGER idb_sync_capture AFTER INSERT OR DELETE ON ${on}
       FOR EACH ROW EXECUTE FUNCTION idb_sync_capture(${args})`,
    `DROP TRIGGER IF EXISTS idb_sync_capture_update ON ${on}`,
    `CREATE TRIGGER idb_sync_capture_update AFTER UPDATE ON ${on}
       FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION idb_sync_capture(${args})`,
    `DROP TRIGGER IF EXISTS idb_sync_capture_truncate ON ${on}`,
    `CREATE TRIGGER idb_sync_capture_truncate AFTER TRUNCATE ON ${on}
       FOR EACH STATEMENT EXECUTE FUNCTION idb_sync_capture_truncate(${literal(collection)})`,
  ];
}

/**
 * Gives every row without a version one (rows written before the triggers existed, or while they
 * were disabled) at new positions of its owner's change log, and tombstones versions whose row is
 * gone. Runs under a lock that keeps writers of the table out meanwhile.
 */
export function backfill(table: string, collection: string, rowId: string, rowOwner: string): string[] {
  const present = `(SELECT ${rowId} AS id, ${rowOwner} AS owner FROM ${ident(table)} t)`;
  return [
    `LOCK TABLE ${ident(table)} IN SHARE ROW EXCLUSIVE MODE`,
    `WITH missing AS (
       SELECT p.owner, p.id FROM ${present} p
       WHERE NOT EXISTS (SELECT 1 FROM records r
                         WHERE r.collection = ${literal(collection)} AND r.owner = p.owner AND r.id = p.id AND NOT r.deleted)
     ),
     counts AS (SELECT owner, count(*) AS n FROM missing GROUP BY owner),
     bumped AS (
       INSERT INTO collection_seq AS s (collection, owner, seq)
       SELECT ${literal(collection)}, owner, n FROM counts
       ON CONFLICT (collection, owner) DO UPDATE SET seq = s.seq + EXCLUDED.seq
       RETURNING s.owner, s.seq
     )
     INSERT INTO records (collection, owner, id, rev, deleted, value, value_bytes, written_by, updated_at)
     SELECT ${literal(collection)}, m.owner, m.id,
            b.seq - c.n + row_number() OVER (PARTITION BY m.owner ORDER BY m.id), false, NULL, NULL, NULL, now()
     FROM missing m JOIN counts c USING (owner) JOIN bumped b USING (owner)
     ON CONFLICT (collection, owner, id) DO UPDATE
       SET rev = EXCLUDED.rev, deleted = false, value = NULL, value_bytes = NULL, written_by = NULL,
           updated_at = EXCLUDED.updated_at`,
    `SELECT idb_sync_tombstone_missing(${literal(collection)}, ${literal(present)})`,
  ];
}
