// Issue 15's "Done when", as a test (`npm test` stage `packed-app`, on PostgreSQL):
//
//   node scripts/with-postgres.mjs node --import tsx test/packed-app/run.ts [--no-build] [--browsers chromium,webkit]
//
// 1. builds and packs the package (`npm run build`, `npm pack`);
// 2. makes a fresh Node project in a temp dir (test/packed-app/app/, examples/app-table/schema.sql) that
//    installs only the tarball, its database driver `pg`, `express`, and the server's optional peers
//    (hono, @hono/node-server, ws), with TypeScript, esbuild and @types as its build tools — all from
//    the npm registry (or npm's cache), nothing else from this repository — and builds it: strict
//    `tsc` against the tarball's types (with the README's quick start, taken from the tarball's
//    README.md), then esbuild bundles the page and the quick start with the tarball's SDK;
// 3. starts it on a database of its own: the app migrates its `work_orders` table and mounts the sync
//    server in Express on it (appTable);
// 4. in each browser (Chromium through Playwright, WebKitGTK through WebDriver): a row inserted by plain
//    SQL is there after the first sync, a work order made in the page lands in the table's columns,
//    and a plain-SQL UPDATE and DELETE reach the open page with its next pull (the WebSocket poke of
//    a back-office write); the README's quick start, served by a second service of the app with the
//    sync API at the page's origin, pushes its write and its live query sees a server-side write;
// 5. runs the tarball's `idb-sync-conformance` bin against the app, and the tarball's
//    `idb-sync-server` bin against its database;
// 6. in a second project with the tarball alone (no peers): the client entries import, the
//    conformance kit runs (WebSocket checks skipped, naming `ws`), and `idb-sync/server` names the
//    packages to install.
// Prints one line per check and writes `{ passed, failed, skipped }` to $IDB_SYNC_COUNTS.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { chromiumEngine } from '../../e2e/harness/chromium-engine.js';
import type { Driver, Engine } from '../../e2e/harness/driver.js';
import { atExit, installExitHook } from '../../e2e/harness/processes.js';
import { webkitEngine } from '../../e2e/harness/webkit-engine.js';
import { withTimeout } from '../../e2e/harness/with-timeout.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = fileURLToPath(new URL('./app/', import.meta.url));
const { values: args } = parseArgs({
  options: {
    'no-build': { type: 'boolean', default: false },
    browsers: { type: 'string', default: 'chromium,webkit' },
    keep: { type: 'boolean', default: false },
  },
});

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error(
    'packed-app: needs PostgreSQL: node scripts/with-postgres.mjs node --import tsx test/packed-app/run.ts',
  );
  process.exit(1);
}

installExitHook();
const work = mkdtempSync(join(tmpdir(), 'idb-sync-packed-app-'));
const forgetWork = args.keep ? () => {} : atExit(() => rmSync(work, { recursive: true, force: true }));
const started = performance.now();
let passed = 0;
let failed = 0;
let skipped = 0;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Runs one check, prints its line; a failed check is counted and printed with its error. */
async function check(name: string, body: () => Promise<string>): Promise<boolean> {
  const t0 = performance.now();
  try {
    const note = await body();
    passed += 1;
    console.log(`✓ ${name} (${seconds(performance.now() - t0)})${note ? `: ${note}` : ''}`);
    return true;
  } catch (error) {
    failed += 1;
    console.log(`✗ ${name} (${seconds(performance.now() - t0)})`);
    const cause = (error as Error)?.cause;
    console.log(
      `${(error as Error)?.stack ?? error}${cause === undefined ? '' : `\ncause: ${(cause as Error)?.stack ?? cause}`}`.replace(
        /^/gm,
        '    ',
      ),
    );
    return false;
  }
}

/** Runs a command to completion; throws with its output when it fails. */
function run(cmd: string, cmdArgs: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  const result = spawnSync(cmd, cmdArgs, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 300_000, // a stuck install or build fails the check instead of hanging the stage
  });
  if (result.status !== 0) {
    throw new Error(
      `${cmd} ${cmdArgs.join(' ')} exited with ${result.status ?? result.signal}\n${result.stdout}\n${result.stderr}`.trim(),
    );
  }
  return result.stdout;
}

/** The version this repository's lockfile has of `name`: the app installs the same, from npm's cache. */
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string }>;
};
function locked(name: string): string {
  const version = lock.packages[`node_modules/${name}`]?.version;
  if (version === undefined) throw new Error(`package-lock.json has no ${name}`);
  return version;
}
const pick = (names: string[]) => Object.fromEntries(names.map((n) => [n, locked(n)]));

function npmInstall(dir: string): void {
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], dir);
}

/** A running app process; `stop()` ends it with SIGTERM. */
interface App {
  readonly origin: string;
  readonly adminToken: string;
  output(): string;
  stop(): Promise<number | null>;
}

async function startApp(dir: string, env: NodeJS.ProcessEnv, script = 'build/server.js'): Promise<App> {
  const child: ChildProcess = spawn(process.execPath, [script], {
    cwd: dir,
    env: { ...process.env, ...env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const origin = await withTimeout(
    new Promise<string>((resolve, reject) => {
      const read = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (match) resolve(match[1]!);
      };
      child.stdout!.on('data', read);
      child.stderr!.on('data', read);
      exited.then((code) => reject(new Error(`the app exited with ${code}:\n${output}`)));
    }),
    60_000,
    'starting the app',
  );
  return {
    origin,
    adminToken: env.ADMIN_TOKEN ?? '',
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** The app's tokens come from its own sign-in route, as the page gets them. */
async function signIn(origin: string, userId: string, retried = false): Promise<string> {
  let answer: Response;
  try {
    answer = await fetch(`${origin}/api/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId }),
    });
  } catch (error) {
    // A kept-alive socket the app closed while this process was blocked in spawnSync (the kit) is
    // still in fetch's pool: the first request on it fails with "other side closed". Once more.
    if (retried || (error as Error).cause === undefined) throw error;
    return signIn(origin, userId, true);
  }
  if (!answer.ok) throw new Error(`sign-in answered ${answer.status}`);
  return ((await answer.json()) as { token: string }).token;
}

/** Polls `sql` until it answers a row (the page's write is pushed by the client on its own). */
async function waitForRow(
  db: pg.Client,
  sql: string,
  values: unknown[],
  timeoutMs = 15_000,
): Promise<Record<string, unknown> | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await db.query(sql, values);
    if (rows.length > 0 || Date.now() > deadline) return rows[0] as Record<string, unknown> | undefined;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One browser signed in as a fresh technician: what a field app's user sees, against the table. */
async function browserSyncs(engine: Engine, app: App, db: pg.Client): Promise<string> {
  const user = `tech-${engine.name}-${randomBytes(3).toString('hex')}`;
  const before = randomUUID();
  await db.query(
    `INSERT INTO work_orders (id, technician_id, title, priority, internal_notes)
     VALUES ($1, $2, 'Inspect boiler', 2, 'back office only')`,
    [before, user],
  );
  let tab: Driver | undefined;
  try {
    tab = await engine.newSession({ persistent: false, scriptTimeoutMs: 30_000 });
    await tab.openPage(`${app.origin}/index.html`);
    const call = (fn: string, ...values: unknown[]) => withTimeout(tab!.run(fn, values), 30_000, fn);

    // First sync: the row that was in the table before (plain SQL) is in IndexedDB.
    const count = await call('signIn', user);
    const channel = await call('connection');
    if (channel !== 'websocket') throw new Error(`the page hears changes over ${channel}, not websocket`);
    const [first] = (await call('workOrders')) as Record<string, unknown>[];
    if (count !== 1 || first?.id !== before || first.title !== 'Inspect boiler' || first.priority !== 2)
      throw new Error(`after the first sync the page has ${JSON.stringify(await call('workOrders'))}`);
    if ('internal_notes' in first || 'technician_id' in first)
      throw new Error(`columns outside the mapping reached the browser: ${JSON.stringify(first)}`);

    // A work order made in the page lands in the app's columns; its unsynced column keeps its default.
    const made = randomUUID();
    await call('createWorkOrder', {
      id: made,
      title: 'Replace valve',
      status: 'open',
      dueDate: '2026-12-01',
    });
    const row = await waitForRow(
      db,
      `SELECT technician_id, title, status, priority, due_date::text AS due, internal_notes
       FROM work_orders WHERE id = $1`,
      [made],
    );
    if (
      row?.technician_id !== user ||
      row.title !== 'Replace valve' ||
      row.due !== '2026-12-01' ||
      row.priority !== 3 ||
      row.internal_notes !== null
    )
      throw new Error(`the pushed work order is ${JSON.stringify(row)} in the table`);

    // Plain SQL from another connection: an UPDATE and a DELETE. Nothing tells the server about them
    // (no poke); they reach the open page with its next pull: here the one a back-office write
    // through the sync server pokes it into (admin API, on the same table). The page does nothing.
    await db.query(`UPDATE work_orders SET status = 'done', priority = 1 WHERE id = $1`, [before]);
    await db.query(`DELETE FROM work_orders WHERE id = $1`, [made]);
    const office = randomUUID();
    const put = await fetch(`${app.origin}/sync/admin/records/work_orders/${office}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${app.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ owner: user, value: { title: 'Call customer', status: 'open' } }),
    });
    if (!put.ok) throw new Error(`the back-office write answered ${put.status}: ${await put.text()}`);
    await call('waitForWorkOrder', office, { title: 'Call customer', status: 'open', priority: 3 });
    await call('waitForWorkOrder', before, { status: 'done', priority: 1 });
    await call('waitForWorkOrder', made, null);
    const orders = (await call('workOrders')) as unknown[];
    await call('signOut');
    return `${user}: SQL row in the first sync, live over websocket, the page's write in the columns, SQL update and delete pulled with the next poke (${orders.length} orders at the end)`;
  } finally {
    await tab?.close().catch(() => {});
  }
}

/**
 * The README's quick start, as bundled by the app, in a fresh session: signed in (its token in
 * localStorage), it starts the live client, subscribes its live query and writes a work order. The
 * write must reach the server, and a server-side change must reach the live query.
 */
async function quickStartRuns(engine: Engine, server: App, app: App, db: pg.Client): Promise<string> {
  const user = `qs-${engine.name}-${randomBytes(3).toString('hex')}`;
  let tab: Driver | undefined;
  try {
    tab = await engine.newSession({ persistent: false, scriptTimeoutMs: 30_000 });
    // Signed in at the app (both services take the app's tokens).
    await tab.openPage(`${server.origin}/quick-start.html?token=${await signIn(app.origin, user)}`);
    const waitForLine = async (line: string) => {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const lines = (await withTimeout(tab!.run('lines', []), 30_000, 'lines')) as string[];
        if (lines.includes(line)) return;
        if (Date.now() > deadline)
          throw new Error(`the quick start logged ${JSON.stringify(lines)}, not "${line}"`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    await waitForLine('1 open');
    const pushed = await waitForRow(
      db,
      `SELECT value->>'title' AS title FROM quick_start.records
       WHERE collection = 'work_orders' AND owner = $1 AND NOT deleted`,
      [user],
    );
    if (pushed?.title !== 'Replace pump') throw new Error(`the server has ${JSON.stringify(pushed)}`);
    const put = await fetch(`${server.origin}/admin/records/work_orders/${randomUUID()}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ owner: user, value: { title: 'Call customer', done: false } }),
    });
    if (!put.ok) throw new Error(`the server-side write answered ${put.status}: ${await put.text()}`);
    await waitForLine('2 open');
    return `${user}: its write on the server, a server-side write in its live query ("2 open")`;
  } finally {
    await tab?.close().catch(() => {});
  }
}

/** The `--json` report of the conformance kit, as much as this test reads of it. */
interface KitReport {
  ok: boolean;
  passed: number;
  failed: number;
  skipped: number;
  checks: { id: string; status: string; reason?: string; failure?: unknown }[];
}

function kit(dir: string, kitArgs: string[]): KitReport {
  const result = spawnSync(join(dir, 'node_modules/.bin/idb-sync-conformance'), [...kitArgs, '--json'], {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 300_000,
  });
  let report: KitReport;
  try {
    report = JSON.parse(result.stdout) as KitReport;
  } catch {
    throw new Error(`idb-sync-conformance exited with ${result.status}:\n${result.stdout}\n${result.stderr}`);
  }
  if ((result.status === 0) !== report.ok)
    throw new Error(`idb-sync-conformance exited with ${result.status} but its report says ok: ${report.ok}`);
  return report;
}

const failures = (report: KitReport) =>
  report.checks
    .filter((c) => c.status === 'fail')
    .map((c) => `${c.id}: ${JSON.stringify(c.failure)}`)
    .join('\n');

// --- 1. the tarball
const app = join(work, 'app');
const bare = join(work, 'bare');
let tarball = '';
let ready = await check('build and pack the package', async () => {
  if (!args['no-build']) run('node', ['scripts/build.mjs'], root);
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], root)) as {
    filename: string;
    size: number;
    files: { path: string }[];
  }[];
  tarball = join(work, packed!.filename);
  const outside = packed!.files.filter(
    (f) => !/^(dist\/|package\.json$|README\.md$|LICENSE$|CHANGELOG\.md$)/.test(f.path),
  );
  if (outside.length > 0)
    throw new Error(`the tarball holds more than dist/: ${outside.map((f) => f.path).join(', ')}`);
  return `${packed!.filename}, ${packed!.files.length} files, ${(packed!.size / 1024).toFixed(0)} KiB`;
});

// --- 2. the fresh app project
ready &&= await check('a fresh project installs the tarball, pg, express and the server peers', async () => {
  mkdirSync(join(app, 'public'), { recursive: true });
  for (const file of ['server.ts', 'auth.ts', 'quick-start-server.ts', 'page.ts', 'tsconfig.json'])
    copyFileSync(join(fixture, file), join(app, file));
  for (const file of ['index.html', 'quick-start.html'])
    copyFileSync(join(fixture, file), join(app, 'public', file));
  copyFileSync(join(root, 'examples/app-table/schema.sql'), join(app, 'schema.sql'));
  const pkg = {
    name: 'field-app',
    private: true,
    type: 'module',
    scripts: {
      build:
        'tsc -p tsconfig.json && esbuild page.ts --bundle --format=esm --target=es2022 --outfile=public/page.js',
    },
    dependencies: {
      'idb-sync': `file:${tarball}`,
      ...pick(['pg', 'express', 'hono', '@hono/node-server', 'ws']),
    },
    devDependencies: pick(['typescript', 'esbuild', '@types/node', '@types/express', '@types/pg']),
  };
  writeFileSync(join(app, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  npmInstall(app);
  const installed = JSON.parse(run('npm', ['ls', '--json', '--depth=0'], app)) as {
    dependencies: Record<string, { version: string }>;
  };
  return Object.entries(installed.dependencies)
    .map(([name, { version }]) => `${name}@${version}`)
    .join(' ');
});

/**
 * The README's quick start, as the tarball ships it: the first TypeScript block of its "Quick start"
 * section, or `undefined` when the README has none.
 */
function quickStart(readme: string): string | undefined {
  const section = /^## Quick start\s*$([\s\S]*?)(?=^## )/m.exec(`${readme}\n## `)?.[1];
  return section === undefined ? undefined : /^```ts\n([\s\S]*?)^```/m.exec(section)?.[1];
}

let quickStartNote = '';
ready &&= await check('the app type-checks (strict, skipLibCheck off) and bundles its page', async () => {
  const code = quickStart(readFileSync(join(app, 'node_modules/idb-sync/README.md'), 'utf8'));
  if (code !== undefined) {
    // Compiled as written, beside the app's own code, with the app's strict options; then bundled.
    writeFileSync(join(app, 'quick-start.ts'), code);
    const tsconfig = JSON.parse(readFileSync(join(app, 'tsconfig.json'), 'utf8')) as { files: string[] };
    tsconfig.files.push('quick-start.ts');
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  }
  run('npm', ['run', 'build', '--silent'], app);
  if (code !== undefined) {
    run(
      'npx',
      ['esbuild', 'quick-start.ts', '--bundle', '--format=esm', '--outfile=public/quick-start.js'],
      app,
    );
    quickStartNote = `the README's quick start (${code.trim().split('\n').length} lines) type-checks and bundles`;
  } else {
    skipped += 1;
    console.log(
      '- the README\'s quick start: skipped (the tarball\'s README.md has no "## Quick start" section)',
    );
  }
  return `page bundle ${(readFileSync(join(app, 'public/page.js')).length / 1024).toFixed(0)} KiB (not minified)${quickStartNote ? `; ${quickStartNote}` : ''}`;
});

// --- 3. the app on its own database
const appDatabase = `packed_app_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: databaseUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${appDatabase}`);
const appUrl = new URL(databaseUrl);
appUrl.pathname = `/${appDatabase}`;
const db = new pg.Client({ connectionString: appUrl.href });
await db.connect();
const adminToken = randomBytes(24).toString('base64url');
const appSecret = randomBytes(24).toString('hex');
let running: App | undefined;

if (ready) {
  ready = await check('the app starts: its own table migrated, the sync server mounted on it', async () => {
    running = await startApp(app, {
      DATABASE_URL: appUrl.href,
      APP_SECRET: appSecret,
      ADMIN_TOKEN: adminToken,
    });
    const caps = (await (await fetch(`${running.origin}/sync/v1/capabilities`)).json()) as {
      collections: { name: string }[];
    };
    const triggers = await db.query(
      `SELECT tgname FROM pg_trigger WHERE tgrelid = 'public.work_orders'::regclass AND NOT tgisinternal ORDER BY 1`,
    );
    return `${running.origin}, collections ${caps.collections.map((c) => c.name).join(', ')}; triggers ${triggers.rows.map((r) => r.tgname).join(', ')}`;
  });
}

let quickStartServer: App | undefined;
if (ready && quickStartNote) {
  await check("the quick start's server starts (the sync API at its page's origin)", async () => {
    quickStartServer = await startApp(
      app,
      { DATABASE_URL: appUrl.href, APP_SECRET: appSecret, ADMIN_TOKEN: adminToken },
      'build/quick-start-server.js',
    );
    return quickStartServer.origin;
  });
}

// --- 4. browsers
if (ready && running) {
  const engines: Record<string, () => Engine> = { chromium: chromiumEngine, webkit: webkitEngine };
  for (const name of args.browsers.split(',').filter(Boolean)) {
    const make = engines[name];
    if (!make) throw new Error(`--browsers: unknown engine ${name}`);
    const engine = make();
    const missing = engine.missing();
    let started = false;
    await check(`${name}: the SDK from the tarball syncs with the app's table`, async () => {
      if (missing) throw new Error(missing);
      await engine.start();
      started = true;
      return withTimeout(browserSyncs(engine, running!, db), 120_000, `${name} run`);
    });
    if (quickStartServer && started)
      await check(`${name}: the README's quick start syncs live`, () =>
        withTimeout(quickStartRuns(engine, quickStartServer!, running!, db), 120_000, `${name} quick start`),
      );
    await engine.stop();
  }

  // --- 5. the tarball's command lines against the app
  await check('idb-sync-conformance (the tarball bin) passes against the app', async () => {
    const tokens = ['kit-a', 'kit-b'];
    const kitArgs = [
      '--url',
      `${running!.origin}/sync`,
      '--admin-token',
      adminToken,
      '--collection',
      'notes',
      // The app's tokens are its own: /admin/revoke revokes the reference server's tokens only.
      '--skip',
      'auth.revoked-token',
    ];
    for (const userId of tokens)
      kitArgs.push('--token', await signIn(running!.origin, userId), '--user-id', userId);
    const report = kit(app, kitArgs);
    if (!report.ok || report.failed > 0) throw new Error(`the kit failed:\n${failures(report)}`);
    const skips = report.checks.filter((c) => c.status === 'skip').map((c) => `${c.id} (${c.reason})`);
    return `${report.passed} passed, ${report.skipped} skipped${skips.length > 0 ? `: ${skips.join('; ')}` : ''}`;
  });

  await check('idb-sync-server (the tarball bin) reads the app database', async () => {
    const out = run(
      join(app, 'node_modules/.bin/idb-sync-server'),
      ['schema', 'status', '--database-url', appUrl.href, '--pg-schema', 'idb_sync'],
      app,
    );
    if (!/schema: up-to-date/.test(out)) throw new Error(`schema status printed: ${out}`);
    return out.trim();
  });
}

// --- 6. the tarball alone
await check(
  'with the tarball alone: client entries load, the kit runs, the server names its peers',
  async () => {
    mkdirSync(bare, { recursive: true });
    writeFileSync(
      join(bare, 'package.json'),
      JSON.stringify({
        name: 'bare',
        private: true,
        type: 'module',
        dependencies: { 'idb-sync': `file:${tarball}` },
      }),
    );
    npmInstall(bare);
    const probe = `
    await import('idb-sync'); await import('idb-sync/transport'); await import('idb-sync/protocol');
    await import('idb-sync/conformance');
    const { createSyncServer, postgresStorage } = await import('idb-sync/server');
    try {
      await createSyncServer({ storage: postgresStorage({ connectionString: 'postgres://127.0.0.1:1/none' }), collections: [] });
      console.log('STARTED');
    } catch (error) { console.log(error.message); }`;
    const said = run('node', ['--input-type=module', '-e', probe], bare).trim();
    if (!/npm install hono @hono\/node-server ws/.test(said))
      throw new Error(`createSyncServer without its peers said: ${said}`);
    if (!running) return said;
    const report = kit(bare, [
      '--url',
      `${running.origin}/sync`,
      '--token',
      await signIn(running.origin, 'kit-bare'),
      '--only',
      'capabilities,websocket',
    ]);
    const ws = report.checks.filter((c) => c.id.startsWith('websocket.'));
    if (
      !report.ok ||
      ws.length === 0 ||
      ws.some((c) => c.status !== 'skip' || !/ws package/.test(c.reason ?? ''))
    )
      throw new Error(
        `the kit without ws: ${JSON.stringify(report.checks.map((c) => [c.id, c.status, c.reason]))}`,
      );
    return `server: "${said}"; kit: ${report.passed} passed, WebSocket checks skipped ("${ws[0]!.reason}")`;
  },
);

// --- done
for (const server of [quickStartServer, running]) {
  if (!server) continue;
  const code = await server.stop();
  if (code !== 0) {
    failed += 1;
    console.log(`✗ a server of the app stopped with exit code ${code}:\n${server.output()}`);
  }
}
await db.end();
await admin.query(`DROP DATABASE IF EXISTS ${appDatabase} WITH (FORCE)`);
await admin.end();
if (!args.keep) {
  rmSync(work, { recursive: true, force: true });
  forgetWork();
} else console.log(`kept ${work}`);
console.log(
  `packed-app: ${passed} passed, ${failed} failed, ${skipped} skipped in ${seconds(performance.now() - started)}`,
);
if (process.env.IDB_SYNC_COUNTS)
  writeFileSync(process.env.IDB_SYNC_COUNTS, JSON.stringify({ passed, failed, skipped }));
process.exit(failed > 0 || passed === 0 ? 1 : 0);
