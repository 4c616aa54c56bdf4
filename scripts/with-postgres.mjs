#!/usr/bin/env node
// Runs a command against a throwaway PostgreSQL cluster:
//   node scripts/with-postgres.mjs npx vitest run --project server
// initdb in a fresh temp dir, start on a free 127.0.0.1 port (unix socket in the temp dir too),
// export DATABASE_URL, run the command, then stop the cluster, delete it, and exit with the
// command's code. As root the server runs as the `postgres` user (PostgreSQL refuses root).
// Binaries: $PG_BIN, else the newest /usr/lib/postgresql/*/bin; missing ones fail clearly.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const command = process.argv.slice(2);
if (command.length === 0) {
  console.error('usage: node scripts/with-postgres.mjs <command> [args...]');
  process.exit(2);
}

function findBin() {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

const bin = findBin();
if (bin === undefined || !['initdb', 'pg_ctl', 'postgres'].every((b) => existsSync(join(bin, b)))) {
  console.error(
    'with-postgres: PostgreSQL server binaries not found (initdb, pg_ctl, postgres).\n' +
      '  Install them (Debian: apt-get install -y postgresql) or set PG_BIN to their directory.',
  );
  process.exit(1);
}

const asRoot = process.getuid?.() === 0;
let pgUid;
let pgGid;
if (asRoot) {
  const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (id.status !== 0) {
    console.error(
      'with-postgres: running as root needs a `postgres` system user (PostgreSQL refuses to run as root).',
    );
    process.exit(1);
  }
  pgUid = Number(id.stdout.trim());
  pgGid = Number(gid.stdout.trim());
}

/** Runs a PostgreSQL binary, as `postgres` when we are root. */
function pg(name, args, options = {}) {
  const exe = join(bin, name);
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', exe, ...args]] : [exe, args];
  return spawnSync(cmd, argv, { encoding: 'utf8', ...options });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'idb-sync-pg-'));
const data = join(dir, 'data');
if (asRoot) {
  chownSync(dir, pgUid, pgGid);
  chmodSync(dir, 0o700);
}

let started = false;
function cleanup() {
  if (started) {
    pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop'], { stdio: 'ignore' });
    started = false;
  }
  rmSync(dir, { recursive: true, force: true });
}

const init = pg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-sync']);
if (init.status !== 0) {
  console.error(`with-postgres: initdb failed:\n${init.stderr}`);
  cleanup();
  process.exit(1);
}

const port = await freePort();
// A throwaway cluster: durability off for speed; enough connections for parallel test files.
const settings = [
  `-c port=${port}`,
  '-c listen_addresses=127.0.0.1',
  `-c unix_socket_directories=${dir}`,
  '-c fsync=off',
  '-c synchronous_commit=off',
  '-c full_page_writes=off',
  '-c max_connections=300',
  '-c shared_buffers=128MB',
].join(' ');
const start = pg('pg_ctl', [
  '-D',
  data,
  '-l',
  join(dir, 'postgres.log'),
  '-o',
  settings,
  '-w',
  '-t',
  '60',
  'start',
]);
if (start.status !== 0) {
  console.error(`with-postgres: the server did not start:\n${start.stdout}${start.stderr}`);
  cleanup();
  process.exit(1);
}
started = true;

const databaseUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
console.log(`with-postgres: PostgreSQL (${bin}) on port ${port}, DATABASE_URL=${databaseUrl}`);
const child = spawn(command[0], command.slice(1), {
  stdio: 'inherit',
  env: { ...process.env, DATABASE_URL: databaseUrl },
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => {
  cleanup();
  process.exit(code ?? (signal ? 1 : 0));
});
