import type { Database } from '../db/database.js';
import { toInt } from '../db/database.js';
import { LATEST_SCHEMA_VERSION, MINIMUM_SCHEMA_VERSION, type Migration, migrations } from './migrations.js';

/**
 * State of the server's database schema:
 * - `none`: nothing installed (run `schema install`);
 * - `up-to-date`: every migration applied;
 * - `update-advised`: only optional migrations pending; sync is served;
 * - `update-required`: a required migration is pending; sync is refused with `SERVER_SCHEMA_OUTDATED`;
 * - `ahead`: the database is newer than this code (another instance already updated it); served,
 *   since migrations are additive.
 */
export type SchemaState = 'none' | 'up-to-date' | 'update-advised' | 'update-required' | 'ahead';

/** What `schema status` reports. */
export interface SchemaStatus {
  /** What the installed schema means for this server version. */
  state: SchemaState;
  /** Installed version; `null` when nothing is installed. */
  installed: number | null;
  /** The newest schema version this server knows. */
  latest: number;
  /** The oldest installed version this server can run on. */
  minimum: number;
  /** The migrations not applied yet, oldest first. */
  pending: { version: number; description: string; required: boolean }[];
}

/** One step of `schema install` / `schema update`. */
export interface MigrationProgress {
  /** This migration's place in the run, from 1. */
  step: number;
  /** Migrations in the run. */
  of: number;
  /** The schema version it installs. */
  version: number;
  /** What it changes. */
  description: string;
  /** How long it took. */
  ms: number;
}

/** True when a server on this schema state may serve sync requests. */
export function canServe(state: SchemaState): boolean {
  return state === 'up-to-date' || state === 'update-advised' || state === 'ahead';
}

/** Reads the installed version and says what is pending. */
export async function schemaStatus(db: Database): Promise<SchemaStatus> {
  const installed = await installedVersion(db);
  const pending = migrations
    .filter((m) => installed === null || m.version > installed)
    .map(({ version, description, required }) => ({ version, description, required }));
  let state: SchemaState;
  if (installed === null) state = 'none';
  else if (installed > LATEST_SCHEMA_VERSION) state = 'ahead';
  else if (installed === LATEST_SCHEMA_VERSION) state = 'up-to-date';
  else if (installed >= MINIMUM_SCHEMA_VERSION) state = 'update-advised';
  else state = 'update-required';
  return { state, installed, latest: LATEST_SCHEMA_VERSION, minimum: MINIMUM_SCHEMA_VERSION, pending };
}

async function installedVersion(db: Database): Promise<number | null> {
  const { rows } = await db.query<{ t: string | null }>(`SELECT to_regclass('meta')::text AS t`);
  if (rows[0]?.t == null) return null;
  const v = await db.query<{ value: string }>(`SELECT value FROM meta WHERE key = 'schema_version'`);
  return v.rows[0] === undefined ? null : toInt(v.rows[0].value);
}

/**
 * Installs the schema on an empty database (`schema install`). Throws when something is already
 * installed, so it can never clobber data. `upTo` stops at an older version (tests of upgrades).
 */
export async function installSchema(
  db: Database,
  options: { upTo?: number; onProgress?: (p: MigrationProgress) => void } = {},
): Promise<SchemaStatus> {
  if ((await installedVersion(db)) !== null) {
    throw new Error('A schema is already installed here; use `schema update`');
  }
  return applyMigrations(db, 0, options);
}

/** Applies the pending migrations in order, each in its own transaction (`schema update`). */
export async function updateSchema(
  db: Database,
  options: { upTo?: number; onProgress?: (p: MigrationProgress) => void } = {},
): Promise<SchemaStatus> {
  const installed = await installedVersion(db);
  if (installed === null) throw new Error('No schema installed here; use `schema install`');
  return applyMigrations(db, installed, options);
}

async function applyMigrations(
  db: Database,
  from: number,
  options: { upTo?: number; onProgress?: (p: MigrationProgress) => void },
): Promise<SchemaStatus> {
  const upTo = options.upTo ?? LATEST_SCHEMA_VERSION;
  const todo = migrations.filter((m) => m.version > from && m.version <= upTo);
  let step = 0;
  for (const migration of todo) {
    step += 1;
    const started = performance.now();
    const applied = await applyOne(db, migration);
    if (applied) {
      options.onProgress?.({
        step,
        of: todo.length,
        version: migration.version,
        description: migration.description,
        ms: performance.now() - started,
      });
    }
  }
  return schemaStatus(db);
}

/** One migration in one transaction; an advisory lock makes concurrent updaters take turns. */
async function applyOne(db: Database, migration: Migration): Promise<boolean> {
  if (migration.concurrently) return applyConcurrently(db, migration);
  return db.transaction(async (tx) => {
    // A migration may take longer than a request may (the pool's statement timeout).
    await tx.query(`SET LOCAL statement_timeout = 0`);
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('idb-sync-schema'))`);
    const { rows } = await tx.query<{ t: string | null }>(`SELECT to_regclass('meta')::text AS t`);
    if (rows[0]?.t != null) {
      const v = await tx.query<{ value: string }>(`SELECT value FROM meta WHERE key = 'schema_version'`);
      // Another updater got here first.
      if (toInt(v.rows[0]?.value ?? 0) >= migration.version) return false;
    }
    for (const statement of splitStatements(migration.sql)) await tx.query(statement);
    await tx.query(`UPDATE meta SET value = $1 WHERE key = 'schema_version'`, [String(migration.version)]);
    return true;
  });
}

/**
 * A migration that must not run in a transaction (`CREATE INDEX CONCURRENTLY`): on one connection,
 * under a session advisory lock (the one key of every updater), each statement on its own, then the
 * version bump. A crash half-way leaves the version unbumped; the statements are written to run again.
 */
async function applyConcurrently(db: Database, migration: Migration): Promise<boolean> {
  return db.connection(async (conn) => {
    // An index build may take long and waits for older transactions, blocking nobody meanwhile.
    await conn.query(`SET statement_timeout = 0`);
    await conn.query(`SET lock_timeout = 0`);
    await conn.query(`SELECT pg_advisory_lock(hashtext('idb-sync-schema'))`);
    try {
      const v = await conn.query<{ value: string }>(`SELECT value FROM meta WHERE key = 'schema_version'`);
      if (toInt(v.rows[0]?.value ?? 0) >= migration.version) return false;
      for (const statement of splitStatements(migration.sql)) await conn.query(statement);
      await conn.query(`UPDATE meta SET value = $1 WHERE key = 'schema_version'`, [
        String(migration.version),
      ]);
      return true;
    } finally {
      await conn.query(`SELECT pg_advisory_unlock(hashtext('idb-sync-schema'))`);
      await conn.query(`RESET statement_timeout`);
      await conn.query(`RESET lock_timeout`);
    }
  });
}

/** Migrations hold plain DDL: split on `;` at line ends, dropping comments. */
function splitStatements(sql: string): string[] {
  return sql
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n')
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
