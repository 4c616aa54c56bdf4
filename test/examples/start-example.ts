// Starts an example app of examples/ as a real process (tsx), on 127.0.0.1 and a free port, for
// tests and the conformance kit: PostgreSQL in a fresh schema when DATABASE_URL is set (dropped on
// stop), else an in-memory PGlite.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { issueToken } from '../../examples/shared/auth.js';

/** The example apps, by directory under examples/. */
export const EXAMPLES = ['node-http', 'hono', 'express'] as const;
export type ExampleName = (typeof EXAMPLES)[number];

/** A running example app. */
export interface RunningExample {
  /** The app's origin, e.g. `http://127.0.0.1:40123`. */
  readonly origin: string;
  /** The sync server's base URL (the app mounts it at `/sync`). */
  readonly syncUrl: string;
  /** The secret the app signs its tokens with (`APP_SECRET`). */
  readonly appSecret: string;
  /** Bearer token of the sync server's `/sync/admin` API. */
  readonly adminToken: string;
  /** Everything the process printed. */
  output(): string;
  /** Sends SIGTERM and resolves with the exit code once the process ended. */
  stop(): Promise<number | null>;
}

export async function startExample(
  name: ExampleName,
  env: Record<string, string> = {},
): Promise<RunningExample> {
  const appSecret = randomBytes(24).toString('base64url');
  const adminToken = randomBytes(24).toString('base64url');
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const pgSchema = databaseUrl ? `example_${randomBytes(6).toString('hex')}` : undefined;
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', `examples/${name}/server.ts`], {
    env: {
      ...process.env,
      PORT: '0',
      APP_SECRET: appSecret,
      ADMIN_TOKEN: adminToken,
      DATABASE_URL: databaseUrl ?? '',
      ...(pgSchema ? { PG_SCHEMA: pgSchema } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const origin = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    exited.then((code) => reject(new Error(`examples/${name} exited with ${code}: ${output}`)));
  });
  return {
    origin,
    syncUrl: `${origin}/sync`,
    appSecret,
    adminToken,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const code = await exited;
      if (databaseUrl && pgSchema) {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${pgSchema} CASCADE`);
        await client.end();
      }
      return code;
    },
  };
}

/** A token the example apps accept for `userId` (what `examples/shared/auth.ts` issues). */
export function exampleToken(example: RunningExample, userId: string): string {
  return issueToken(userId, { secret: example.appSecret });
}
