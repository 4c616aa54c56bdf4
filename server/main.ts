// The reference server's command line (`npm run server -- …`, see docs/server.md):
//   npm run server -- [--port 8787] [--data-dir .data/server] [--database-url postgres://…] [flags]
//   npm run server -- migrate | schema status | schema install | schema update
//   npm run server -- seed [--service-types 100000] [--users demo] [--work-orders 200] [--customers 50]
//   npm run server -- user create <userId> [--token T]
//   npm run server -- import --collection cities [--key cityId] cities.ndjson
// Options come from flags, then the environment, then the config file (--config), then defaults.
import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createUser } from './admin/users.js';
import { loadConfigFile, parseCollectionFlag } from './cli/config-file.js';
import { runImport } from './cli/import-command.js';
import { defaultCollections, type ServerOptions } from './config.js';
import type { Database } from './db/database.js';
import { openDatabase } from './db/open-database.js';
import { jsonLogger } from './http/request-log.js';
import { installSchema, schemaStatus, updateSchema } from './schema/schema-manager.js';
import { seedCustomers, seedServiceTypes, seedWorkOrders } from './seed.js';
import { startServer } from './start-server.js';

const HELP = `Usage: npm run server -- [command] [options]

Commands:
  (none)                 start the server
  migrate                install or update the schema (PostgreSQL: run once per rollout, before
                         starting the new version; servers on PostgreSQL do not migrate at start)
  schema status          none | up-to-date | update-advised | update-required | ahead
  schema install         install the schema on an empty database
  schema update          apply pending migrations, with progress
  seed                   fill the demo dataset (bulk SQL)
  user create <userId>   create a user and print a new bearer token
  import FILE            bulk-import records (NDJSON, JSON array or CSV; FILE - = stdin) into --collection

Configuration:
  --config FILE          options file: JSON, or a .js/.mjs module (default export) that may add hooks
                         (authenticate, canWrite, logger); see docs/server.md (env IDB_SYNC_CONFIG)
  --collection N:S[:read-only]  serve collection N, scope S (user|shared); repeatable; replaces
                         the config file's collections (default: the demo's service_types,
                         work_orders, customers)

Database (one of):
  --database-url URL     PostgreSQL (env DATABASE_URL)
  --data-dir DIR         PGlite directory (env DATA_DIR; default .data/server)

Server options:
  --port N               port (env PORT; default 8787; 0 = any free port)
  --host H               interface (env HOST; default 127.0.0.1)
  --max-window-size N    largest page served, requests are clamped (default 1000, max 100000)
  --max-body-bytes N     largest request body (default 1048576)
  --max-mutations N      most mutations per push (default 500, max 1000)
  --max-value-bytes N    largest record value, bytes of JSON (default 1048576)
  --max-value-depth N    deepest nesting of objects/arrays in a value (default 100)
  --max-page-bytes N     byte budget of a pull page (default 4194304)
  --schema-min N         oldest client schema version that may pull (default 1)
  --schema-min-writable N  oldest client schema version that may push (default: --schema-min)
  --schema-max N         newest client schema version accepted (default: unlimited)
  --tombstone-days N     tombstone retention in days (default 30)
  --admin-token T        enable /admin with this bearer token (env ADMIN_TOKEN, at least 16 characters)
  --no-auto-migrate      do not install/update the schema at start (PGlite; serve only a servable one)
  --auto-migrate         install/update the schema at start on PostgreSQL too (one instance only)
  --pool-size N          PostgreSQL connections (default 10)
  --acquire-timeout-ms N longest wait for a pool connection (default 5000; then 503)
  --statement-timeout-ms N  longest statement (default 30000; 0 = none)
  --lock-timeout-ms N    longest lock wait (default 10000; 0 = none)
  --idle-in-transaction-timeout-ms N  (default 60000; 0 = none)
  --ready-timeout-ms N   longest /ready waits for the database (default 2000)
  --shutdown-delay-ms N  on SIGTERM, readiness off this long before it stops accepting (default 0)
  --shutdown-timeout-ms N  on SIGTERM, longest wait for in-flight requests (default 10000)
  --cors-origin O        allow browser apps from origin O (comma-separated, or *)
  --rate-limit N         requests per second per token on pull/push/events/ws (429 + Retry-After)
  --rate-burst N         requests a token may make at once (default 2 × --rate-limit)
  --log-format F         text (default) or json: one JSON object per line (env LOG_FORMAT)

Seed options:
  --service-types N      shared service_types rows (default 100000)
  --users a,b            users to create with their work orders and customers (default demo)
  --work-orders N        work orders per user (default 200)
  --customers N          customers per user (default 50)

Import options:
  --collection NAME      the (configured) collection to import into
  --owner USER           owner of the records, for per-user collections
  --key FIELD            field holding each record's id (default: the collection's key, else id)
  --format F             ndjson | json | csv (default: from the file name; else ndjson)
  --batch-size N         records per transaction (default 5000)
  --url URL              import through a running server's /admin/import (needs --admin-token)

Other:
  --token T              with "user create": use this token instead of a random one
`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'data-dir': { type: 'string' },
    'database-url': { type: 'string' },
    'max-window-size': { type: 'string' },
    'max-body-bytes': { type: 'string' },
    'max-mutations': { type: 'string' },
    'max-value-bytes': { type: 'string' },
    'max-value-depth': { type: 'string' },
    'max-page-bytes': { type: 'string' },
    'schema-min': { type: 'string' },
    'schema-min-writable': { type: 'string' },
    'schema-max': { type: 'string' },
    'tombstone-days': { type: 'string' },
    'admin-token': { type: 'string' },
    'no-auto-migrate': { type: 'boolean' },
    'auto-migrate': { type: 'boolean' },
    'pool-size': { type: 'string' },
    'acquire-timeout-ms': { type: 'string' },
    'statement-timeout-ms': { type: 'string' },
    'lock-timeout-ms': { type: 'string' },
    'idle-in-transaction-timeout-ms': { type: 'string' },
    'ready-timeout-ms': { type: 'string' },
    'shutdown-delay-ms': { type: 'string' },
    'shutdown-timeout-ms': { type: 'string' },
    'cors-origin': { type: 'string' },
    'rate-limit': { type: 'string' },
    'rate-burst': { type: 'string' },
    'log-format': { type: 'string' },
    'service-types': { type: 'string' },
    users: { type: 'string' },
    'work-orders': { type: 'string' },
    customers: { type: 'string' },
    token: { type: 'string' },
    config: { type: 'string' },
    collection: { type: 'string', multiple: true },
    owner: { type: 'string' },
    key: { type: 'string' },
    format: { type: 'string' },
    'batch-size': { type: 'string' },
    url: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

function int(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new Error(`--${name} must be an integer`);
  return n;
}

const configPath = values.config ?? (process.env.IDB_SYNC_CONFIG || undefined);
let config: ServerOptions = {};
const databaseUrl = () => values['database-url'] ?? (process.env.DATABASE_URL || config.databaseUrl);
const dataDir = () => values['data-dir'] ?? process.env.DATA_DIR ?? config.dataDir ?? '.data/server';
const location = () => {
  const url = databaseUrl();
  return url ? { databaseUrl: url, ...optional('pgSchema', config.pgSchema) } : { dataDir: dataDir() };
};

async function withDatabase<T>(work: (db: Database) => Promise<T>): Promise<T> {
  if (!databaseUrl()) mkdirSync(dataDir(), { recursive: true });
  const db = await openDatabase(location());
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

const where = () => (databaseUrl() ? 'PostgreSQL' : `PGlite in ${dataDir()}`);

async function main(): Promise<number> {
  const [command, sub, arg] = positionals;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (configPath !== undefined) config = await loadConfigFile(configPath);
  if (command === 'migrate') {
    return withDatabase(async (db) => {
      const onProgress = (p: {
        step: number;
        of: number;
        version: number;
        description: string;
        ms: number;
      }) => console.log(`[${p.step}/${p.of}] v${p.version} ${p.description} (${p.ms.toFixed(0)} ms)`);
      const before = await schemaStatus(db);
      const status =
        before.state === 'none'
          ? await installSchema(db, { onProgress })
          : await updateSchema(db, { onProgress });
      console.log(`schema: ${status.state} (version ${status.installed}) on ${where()}`);
      return 0;
    });
  }
  if (command === 'schema') {
    return withDatabase(async (db) => {
      if (sub === 'status') {
        const status = await schemaStatus(db);
        console.log(
          `schema: ${status.state} (installed ${status.installed ?? 'none'}, latest ${status.latest}, minimum ${status.minimum}) on ${where()}`,
        );
        for (const m of status.pending)
          console.log(`  pending v${m.version}${m.required ? ' (required)' : ''}: ${m.description}`);
        return 0;
      }
      if (sub === 'install' || sub === 'update') {
        const onProgress = (p: {
          step: number;
          of: number;
          version: number;
          description: string;
          ms: number;
        }) => console.log(`[${p.step}/${p.of}] v${p.version} ${p.description} (${p.ms.toFixed(0)} ms)`);
        const status =
          sub === 'install'
            ? await installSchema(db, { onProgress })
            : await updateSchema(db, { onProgress });
        console.log(`schema: ${status.state} (version ${status.installed}) on ${where()}`);
        return 0;
      }
      process.stderr.write(HELP);
      return 2;
    });
  }
  if (command === 'seed') {
    return withDatabase(async (db) => {
      const status = await schemaStatus(db);
      if (status.state === 'none') await installSchema(db);
      else if (status.state.startsWith('update')) await updateSchema(db);
      const serviceTypes = int('service-types', values['service-types']) ?? 100_000;
      const users = (values.users ?? 'demo').split(',').filter(Boolean);
      const results = [await seedServiceTypes(db, serviceTypes)];
      for (const userId of users) {
        const { token } = await createUser(db, userId);
        console.log(`user ${userId}: token ${token}`);
        results.push(await seedCustomers(db, userId, int('customers', values.customers) ?? 50));
        results.push(await seedWorkOrders(db, userId, int('work-orders', values['work-orders']) ?? 200));
      }
      for (const r of results) {
        console.log(
          `seeded ${r.rows} ${r.collection}${r.owner ? ` of ${r.owner}` : ''} in ${r.ms.toFixed(0)} ms ` +
            `(${Math.round((r.rows / r.ms) * 1000)} rows/s, ~${r.avgValueBytes} bytes per value) on ${where()}`,
        );
      }
      return 0;
    });
  }
  if (command === 'user' && sub === 'create' && arg !== undefined) {
    return withDatabase(async (db) => {
      const { token } = await createUser(db, arg, values.token === undefined ? {} : { token: values.token });
      console.log(token);
      return 0;
    });
  }
  if (command === 'import') {
    const file = sub;
    if (file === undefined || values.collection?.length !== 1) {
      process.stderr.write('usage: npm run server -- import --collection NAME [options] FILE\n');
      return 2;
    }
    const collection = values.collection[0]!;
    const format = values.format;
    if (format !== undefined && format !== 'ndjson' && format !== 'json' && format !== 'csv') {
      throw new Error('--format must be ndjson, json or csv');
    }
    if (!databaseUrl() && values.url === undefined) mkdirSync(dataDir(), { recursive: true });
    await runImport({
      file,
      collection,
      owner: values.owner,
      key: values.key,
      format,
      batchSize: int('batch-size', values['batch-size']),
      url: values.url,
      adminToken: values['admin-token'] ?? (process.env.ADMIN_TOKEN || config.adminToken),
      // The collection named on the command line is one of the configured ones, not a new set.
      options: { ...config, ...location(), collections: config.collections ?? defaultCollections },
      log: (line) => console.log(line),
    });
    return 0;
  }
  if (command !== undefined) {
    process.stderr.write(HELP);
    return 2;
  }

  if (!databaseUrl()) mkdirSync(dataDir(), { recursive: true });
  const collectionFlags = values.collection ?? [];
  const collections =
    collectionFlags.length > 0
      ? collectionFlags.map(parseCollectionFlag)
      : (config.collections ?? defaultCollections);
  const min = int('schema-min', values['schema-min']) ?? config.schemaVersions?.min ?? 1;
  const logFormat = values['log-format'] ?? process.env.LOG_FORMAT ?? 'text';
  if (logFormat !== 'text' && logFormat !== 'json') throw new Error('--log-format must be text or json');
  const corsOrigin = values['cors-origin'];
  const rate = int('rate-limit', values['rate-limit']);
  const burst = int('rate-burst', values['rate-burst']);
  const pool = {
    ...config.pool,
    ...optional('maxConnections', int('pool-size', values['pool-size'])),
    ...optional('acquireTimeoutMs', int('acquire-timeout-ms', values['acquire-timeout-ms'])),
    ...optional('statementTimeoutMs', int('statement-timeout-ms', values['statement-timeout-ms'])),
    ...optional('lockTimeoutMs', int('lock-timeout-ms', values['lock-timeout-ms'])),
    ...optional(
      'idleInTransactionTimeoutMs',
      int('idle-in-transaction-timeout-ms', values['idle-in-transaction-timeout-ms']),
    ),
  };
  const server = await startServer({
    ...config,
    ...location(),
    ...(logFormat === 'json' ? { logger: jsonLogger } : {}),
    pool,
    ...optional('readyTimeoutMs', int('ready-timeout-ms', values['ready-timeout-ms'])),
    ...optional('shutdownDelayMs', int('shutdown-delay-ms', values['shutdown-delay-ms'])),
    ...optional('shutdownTimeoutMs', int('shutdown-timeout-ms', values['shutdown-timeout-ms'])),
    ...(corsOrigin ? { cors: { origins: corsOrigin === '*' ? '*' : corsOrigin.split(',') } } : {}),
    ...(rate === undefined
      ? {}
      : { rateLimit: { requestsPerSecond: rate, ...(burst === undefined ? {} : { burst }) } }),
    port: int('port', values.port ?? process.env.PORT) ?? config.port ?? 8787,
    host: values.host ?? process.env.HOST ?? config.host ?? '127.0.0.1',
    collections,
    // Unset: the server's default (PGlite migrates at start, PostgreSQL waits for `migrate`).
    ...optional(
      'autoMigrate',
      values['no-auto-migrate'] ? false : values['auto-migrate'] ? true : config.autoMigrate,
    ),
    schemaVersions: {
      min,
      minWritable:
        int('schema-min-writable', values['schema-min-writable']) ??
        (values['schema-min'] === undefined ? config.schemaVersions?.minWritable : undefined) ??
        min,
      max: int('schema-max', values['schema-max']) ?? config.schemaVersions?.max ?? Number.MAX_SAFE_INTEGER,
    },
    ...optional('maxWindowSize', int('max-window-size', values['max-window-size'])),
    ...optional('maxBodyBytes', int('max-body-bytes', values['max-body-bytes'])),
    ...optional('maxMutationsPerPush', int('max-mutations', values['max-mutations'])),
    ...optional('maxValueBytes', int('max-value-bytes', values['max-value-bytes'])),
    ...optional('maxValueDepth', int('max-value-depth', values['max-value-depth'])),
    ...optional('maxPageBytes', int('max-page-bytes', values['max-page-bytes'])),
    ...optional('tombstoneRetentionMs', mapDays(int('tombstone-days', values['tombstone-days']))),
    ...optional('adminToken', values['admin-token'] ?? (process.env.ADMIN_TOKEN || config.adminToken)),
  });
  console.log(`idb-sync reference server on ${server.url} (${where()}, schema ${server.schema.state})`);
  if (server.schema.state !== 'up-to-date')
    console.log(`schema ${server.schema.state}: run "npm run server -- migrate" (or "schema status")`);
  let stopping = false;
  const stop = () => {
    // A second signal does not wait for the drain.
    if (stopping) process.exit(1);
    stopping = true;
    server.shutdown().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return new Promise<number>(() => {});
}

function mapDays(days: number | undefined): number | undefined {
  return days === undefined ? undefined : days * 24 * 60 * 60 * 1000;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`error: ${error.message}`);
    process.exit(1);
  },
);
