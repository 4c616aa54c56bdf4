import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { installSchema } from '../schema/schema-manager.js';
import type { Database, Queryable, QueryResult } from './database.js';

/**
 * Opens an embedded PGlite database: in memory when `dataDir` is undefined, else persisted in that
 * directory (created if missing). `loadDataDir` starts from a dump instead of running initdb,
 * which is several times faster (tests clone a template this way).
 */
export async function openPgliteDatabase(options: {
  dataDir?: string | undefined;
  loadDataDir?: Blob | File | undefined;
}): Promise<PgliteDatabase> {
  const unlock = options.dataDir === undefined ? () => {} : lockDataDir(options.dataDir);
  try {
    // A new in-memory database starts from a dump of an empty cluster: cloning takes a fraction
    // of the time of initdb, which matters for test suites that open many.
    const loadDataDir =
      options.loadDataDir ?? (options.dataDir === undefined ? await emptyClusterTemplate() : undefined);
    const pg = await PGlite.create({
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
      ...(loadDataDir === undefined ? {} : { loadDataDir }),
    });
    return new PgliteDatabase(pg, unlock);
  } catch (error) {
    unlock();
    throw error;
  }
}

/**
 * The dumps new in-memory databases start from: `empty-cluster` (what initdb makes) and
 * `server-schema` (the reference server's latest schema installed, see start-server.ts).
 */
export type PgliteTemplateName = 'empty-cluster' | 'server-schema';

type Dump = Blob | File;

const templates = new Map<PgliteTemplateName, Promise<Dump>>();
const presets = new Map<PgliteTemplateName, () => Promise<Dump>>();

/**
 * The template `name`, made by `make` the first time this process needs it (several seconds:
 * initdb) and cached, unless a preset loader was given for it.
 */
export function pgliteTemplate(name: PgliteTemplateName, make: () => Promise<Dump>): Promise<Dump> {
  let dump = templates.get(name);
  if (dump === undefined) {
    dump = (presets.get(name) ?? make)();
    templates.set(name, dump);
  }
  return dump;
}

/**
 * Has this process load the template `name` with `load` (called once, when first needed) instead
 * of making it. A test run makes its templates once and presets them in every test file, which
 * Vitest otherwise runs with fresh module state, each paying for initdb and migrations again.
 */
export function presetPgliteTemplate(name: PgliteTemplateName, load: () => Promise<Dump>): void {
  if (templates.has(name)) throw new Error(`The PGlite template ${name} is already in use`);
  presets.set(name, load);
}

/** A dump of an empty cluster, made once per process (or preset). */
export function emptyClusterTemplate(): Promise<Dump> {
  return pgliteTemplate('empty-cluster', async () => {
    const pg = await PGlite.create();
    try {
      await pg.exec('CHECKPOINT');
      return await pg.dumpDataDir('none');
    } finally {
      await pg.close();
    }
  });
}

/**
 * A dump of an in-memory PGlite with the latest server schema, made once per process (or preset,
 * see {@link presetPgliteTemplate}): cloning it is ~5× faster than initdb and the migrations.
 */
export function serverSchemaTemplate(): Promise<Dump> {
  return pgliteTemplate('server-schema', async () => {
    const db = await openPgliteDatabase({});
    try {
      await installSchema(db);
      return await db.dump();
    } finally {
      await db.close();
    }
  });
}

/** A new in-memory database with the latest server schema, cloned from {@link serverSchemaTemplate}. */
export async function serverSchemaClone(): Promise<PgliteDatabase> {
  const db = await openPgliteDatabase({ loadDataDir: await serverSchemaTemplate() });
  // Each clone is its own database: its own epoch and checkpoint secret.
  await db.query(`UPDATE meta SET value = $1 WHERE key = 'epoch'`, [randomBytes(16).toString('hex')]);
  await db.query(`UPDATE meta SET value = $1 WHERE key = 'checkpoint_secret'`, [
    randomBytes(32).toString('hex'),
  ]);
  return db;
}

/**
 * PGlite is single-process: two processes on one data directory corrupt it. A lock file holding
 * the owner's pid refuses a second opener (a lock left by a dead process is taken over).
 */
function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'idb-sync.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(readFileSync(path, 'utf8'));
      if (Number.isSafeInteger(pid) && pid > 0 && isAlive(pid)) {
        throw new Error(
          `The PGlite data directory ${dataDir} is in use by process ${pid}; stop it, or use its /admin API`,
        );
      }
      rmSync(path, { force: true });
    }
  }
  throw new Error(`Could not lock the PGlite data directory ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** {@link Database} on PGlite. PGlite runs one statement at a time; its transactions are exclusive. */
export class PgliteDatabase implements Database {
  readonly kind = 'pglite' as const;
  #closed = false;

  constructor(
    readonly pg: PGlite,
    private readonly unlock: () => void = () => {},
  ) {}

  async query<Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
    const r = await this.pg.query<Row>(sql, params as unknown[]);
    return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
  }

  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.pg.transaction(async (tx) => {
      const q: Queryable = {
        async query<Row>(sql: string, params: readonly unknown[] = []) {
          const r = await tx.query<Row>(sql, params as unknown[]);
          return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
        },
      };
      return work(q);
    });
  }

  /** PGlite has one connection: `work` runs on it like any query. */
  connection<T>(work: (conn: Queryable) => Promise<T>): Promise<T> {
    return work(this);
  }

  async exec(sql: string): Promise<void> {
    await this.pg.exec(sql);
  }

  /** A dump of the whole data directory, to clone this database with `loadDataDir`. */
  async dump(): Promise<Blob | File> {
    // Checkpointed first, a clone replays less of the write-ahead log when it starts.
    await this.pg.exec('CHECKPOINT');
    return this.pg.dumpDataDir('none');
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.pg.close();
    } finally {
      this.unlock();
    }
  }
}
