import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RawProtocolClient } from '../../test/server/raw-protocol-client.js';
import { dropSchema, startTestServer } from '../../test/server/test-server.js';
import type { ServerOptions } from '../config.js';
import type { Database } from '../db/database.js';
import { openDatabase } from '../db/open-database.js';
import { startServer } from '../start-server.js';
import { LATEST_SCHEMA_VERSION, MINIMUM_SCHEMA_VERSION } from './migrations.js';
import { installSchema, type MigrationProgress, schemaStatus, updateSchema } from './schema-manager.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * A fresh empty database, and how to point a server at it: a new PostgreSQL schema when
 * DATABASE_URL is set, else an in-memory PGlite handed to the server as is.
 */
async function freshDatabase(): Promise<{ db: Database; location: ServerOptions }> {
  const databaseUrl = process.env.DATABASE_URL;
  const location: ServerOptions = databaseUrl
    ? { databaseUrl, pgSchema: `schema_test_${randomBytes(5).toString('hex')}` }
    : {};
  const db = await openDatabase(location);
  if (databaseUrl) cleanups.push(() => dropSchema(databaseUrl, location.pgSchema!));
  cleanups.push(() => db.close());
  return { db, location: databaseUrl ? location : { database: db } };
}

describe('server schema management', () => {
  it('goes from none to up to date with install, reporting progress per migration', async () => {
    const { db } = await freshDatabase();
    expect(await schemaStatus(db)).toMatchObject({ state: 'none', installed: null });
    const progress: MigrationProgress[] = [];
    const status = await installSchema(db, { onProgress: (p) => progress.push(p) });
    expect(status).toMatchObject({ state: 'up-to-date', installed: LATEST_SCHEMA_VERSION, pending: [] });
    expect(progress.map((p) => `${p.step}/${p.of} v${p.version}`)).toEqual(
      Array.from({ length: LATEST_SCHEMA_VERSION }, (_, i) => `${i + 1}/${LATEST_SCHEMA_VERSION} v${i + 1}`),
    );
    await expect(installSchema(db)).rejects.toThrow(/already installed/);
  });

  it('says update advised when only optional migrations are pending, and required below the minimum', async () => {
    const { db } = await freshDatabase();
    await installSchema(db, { upTo: MINIMUM_SCHEMA_VERSION - 1 });
    expect((await schemaStatus(db)).state).toBe('update-required');
    await updateSchema(db, { upTo: MINIMUM_SCHEMA_VERSION });
    const advised = await schemaStatus(db);
    expect(MINIMUM_SCHEMA_VERSION).toBeLessThan(LATEST_SCHEMA_VERSION);
    expect(advised).toMatchObject({ state: 'update-advised', installed: MINIMUM_SCHEMA_VERSION });
    expect(advised.pending.every((m) => !m.required)).toBe(true);
    expect((await updateSchema(db)).state).toBe('up-to-date');
  });

  it('refuses sync while the schema is too old (not ready) but still answers health and capabilities, then serves after update', async () => {
    const { db, location } = await freshDatabase();
    await installSchema(db, { upTo: MINIMUM_SCHEMA_VERSION - 1 });

    const server = await startTestServer({ ...location, autoMigrate: false });
    cleanups.push(() => server.close());
    expect(server.schema.state).toBe('update-required');
    const client = new RawProtocolClient(server.url, 'any-token');
    const refused = await client.pull({ collection: 'customers', checkpoint: null, windowSize: 10 });
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatchObject({
      code: 'SERVER_SCHEMA_OUTDATED',
      details: { status: 'update-required', installed: MINIMUM_SCHEMA_VERSION - 1 },
    });
    // Alive (no restart wanted), but not ready to serve sync.
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ ready: false, schema: { state: 'update-required' } });
    expect((await client.capabilities()).status).toBe(200);

    // An operator runs `schema update` from another connection (or, on PGlite, the same one).
    await updateSchema(db);
    // The server re-reads a bad schema status at most once a second.
    const { token } = await vi.waitFor(() => server.admin.createUser('alice'), { timeout: 5000 });
    const served = new RawProtocolClient(server.url, token);
    expect((await served.pull({ collection: 'customers', checkpoint: null, windowSize: 10 })).status).toBe(
      200,
    );
    expect((await fetch(`${server.url}/ready`)).status).toBe(200);
  });

  it('installs and updates automatically at start unless told not to', async () => {
    const { db, location } = await freshDatabase();
    await installSchema(db, { upTo: 1 });
    const server = await startTestServer({ ...location });
    cleanups.push(() => server.close());
    expect(server.schema.state).toBe('up-to-date');
  });

  it('runs as commands: schema install with progress, then schema status', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'idb-sync-cli-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const env = { ...process.env, DATABASE_URL: '' };
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts', ...args, '--data-dir', dataDir], {
        encoding: 'utf8',
        env,
      });
    const install = cli('schema', 'install');
    expect(install.status).toBe(0);
    const [latest, minimum] = [LATEST_SCHEMA_VERSION, MINIMUM_SCHEMA_VERSION];
    expect(install.stdout).toMatch(new RegExp(`^\\[1/${latest}\\] v1 core tables`, 'm'));
    expect(install.stdout).toMatch(new RegExp(`^\\[${latest}/${latest}\\] v${latest} `, 'm'));
    const after = cli('schema', 'status');
    expect(after.stdout).toMatch(
      new RegExp(`^schema: up-to-date \\(installed ${latest}, latest ${latest}, minimum ${minimum}\\)`, 'm'),
    );
  });

  it.runIf(process.env.DATABASE_URL)(
    'does not migrate PostgreSQL at start unless asked; `migrate` is the command that does',
    async () => {
      const { location } = await freshDatabase();
      const server = await startServer({ ...location, port: 0, logger: () => {}, compactionIntervalMs: 0 });
      cleanups.push(() => server.close());
      expect(server.schema.state).toBe('none');
      expect((await fetch(`${server.url}/ready`)).status).toBe(503);

      // The schema travels in the URL, as an operator's `options=-c search_path=…` would.
      const url = new URL(process.env.DATABASE_URL!);
      url.searchParams.set('options', `-c search_path=${location.pgSchema}`);
      const run = (...args: string[]) =>
        spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts', ...args], {
          encoding: 'utf8',
          env: { ...process.env, DATABASE_URL: url.toString() },
        });
      const migrated = run('migrate');
      expect(migrated.status).toBe(0);
      expect(migrated.stdout).toMatch(
        new RegExp(`^schema: up-to-date \\(version ${LATEST_SCHEMA_VERSION}\\)`, 'm'),
      );
      expect(run('migrate').stdout).toMatch(/^schema: up-to-date/m);
      await vi.waitFor(async () => expect((await fetch(`${server.url}/ready`)).status).toBe(200), {
        timeout: 5000,
      });
    },
  );

  it.runIf(process.env.DATABASE_URL)(
    'builds indexes concurrently: pushes go on while an index migration waits for an open transaction',
    async () => {
      const { db, location } = await freshDatabase();
      await installSchema(db, { upTo: LATEST_SCHEMA_VERSION - 1 });
      const server = await startTestServer({ ...location, autoMigrate: false });
      cleanups.push(() => server.close());
      const { token } = await server.admin.createUser('ida');
      const client = new RawProtocolClient(server.url, token);
      const push = (mutationId: number, id: string) =>
        client.push({
          clientId: 'ida-1',
          mutations: [{ mutationId, collection: 'customers', id, op: 'put', baseRev: null, value: {} }],
        });
      expect((await push(1, 'before')).status).toBe(200);

      // A transaction that wrote to records and stays open: an index build must wait for it.
      const holder = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await holder.connect();
      cleanups.push(() => holder.end());
      await holder.query('BEGIN');
      await holder.query(
        `INSERT INTO ${location.pgSchema}.records (collection, owner, id, rev) VALUES ('customers', 'other', 'x', 1)`,
      );
      const migrating = updateSchema(db);
      let migrated = false;
      void migrating.then(() => {
        migrated = true;
      });
      await vi.waitFor(
        async () => {
          // The index build waits for the open transaction (pg_stat_activity's query text of a
          // CREATE INDEX CONCURRENTLY between its internal transactions is not reliable; its wait is).
          const { rows } = await holder.query(
            `SELECT 1 FROM pg_stat_activity
              WHERE application_name = $1 AND pg_backend_pid() = ANY (pg_blocking_pids(pid))`,
            [`idb-sync/${location.pgSchema}`],
          );
          expect(rows).toHaveLength(1);
        },
        { timeout: 10_000 },
      );
      // A plain CREATE INDEX would hold a SHARE lock queue here and block this push until COMMIT.
      expect((await push(2, 'during')).status).toBe(200);
      expect(migrated).toBe(false);
      await holder.query('COMMIT');
      expect((await migrating).state).toBe('up-to-date');
    },
  );
});
