import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Server processes sharing one fresh PostgreSQL schema. */
export interface Instances {
  urls: string[];
  adminToken: string;
  stop(): Promise<void>;
}

/**
 * Starts `count` reference server processes (`server/main.ts`) on 127.0.0.1 on a fresh schema of
 * `databaseUrl`, after one `migrate`, as a deployment would. `stop()` sends SIGTERM (graceful
 * shutdown), waits for them and drops the schema.
 */
export async function startInstances(
  databaseUrl: string,
  count: number,
  options: { poolSize?: number } = {},
): Promise<Instances> {
  const schema = `load_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const env = { ...process.env, DATABASE_URL: url.toString() };
  const migrated = spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts', 'migrate'], {
    encoding: 'utf8',
    env,
  });
  if (migrated.status !== 0) throw new Error(`migrate failed: ${migrated.stderr}`);
  const adminToken = randomBytes(24).toString('base64url');
  const children: ChildProcess[] = [];
  const start = () =>
    new Promise<string>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          'server/main.ts',
          '--port',
          '0',
          // One argument: a base64url token may start with "-", which parseArgs takes for an option.
          `--admin-token=${adminToken}`,
          '--pool-size',
          String(options.poolSize ?? 10),
          '--max-window-size',
          '1000',
        ],
        { env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      children.push(child);
      let output = '';
      const onData = (chunk: Buffer) => {
        // Only the start line matters; request lines are dropped (their cost is still paid).
        if (output.length < 10_000) output += chunk.toString();
        const match = /reference server on (http:\/\/\S+)/.exec(output);
        if (match) resolve(match[1]!);
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
    });
  const urls = await Promise.all(Array.from({ length: count }, start));
  return {
    urls,
    adminToken,
    async stop() {
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null) return resolve();
              child.once('exit', () => resolve());
              child.kill('SIGTERM');
            }),
        ),
      );
      const cleanup = new pg.Client({ connectionString: databaseUrl });
      await cleanup.connect();
      await cleanup.query(`DROP SCHEMA ${schema} CASCADE`);
      await cleanup.end();
    },
  };
}
