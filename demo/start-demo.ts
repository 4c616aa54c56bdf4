// Starts the demo: the reference server on PGlite (seeded when empty), a token for user "demo", and
// the page on Vite's dev server, which proxies the sync API so the page talks to its own origin
// (the reference server sends no CORS headers).
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createServer, type Plugin, type ViteDevServer } from 'vite';
import { seedCustomers, seedServiceTypes, seedWorkOrders } from '../server/seed.js';
import { type RunningServer, startServer } from '../server/start-server.js';

/** Options of {@link startDemo}. */
export interface DemoOptions {
  /** Port of the page (Vite). Default `5173`; `0` picks a free one. */
  readonly port?: number;
  /** Port of the reference server. Default `8787`; `0` picks a free one. */
  readonly serverPort?: number;
  /** PGlite directory. Default `.data/demo`. */
  readonly dataDir?: string;
  /** Seed when `service_types` is empty. Default `true`. */
  readonly seed?: boolean;
  /** Service types to seed. Default `100_000`. */
  readonly rows?: number;
  /** Progress lines (seeding, URLs). Default `console.log`. */
  readonly log?: (line: string) => void;
  /** Print the server's request log lines. Default `false`. */
  readonly verbose?: boolean;
}

/** The running demo. */
export interface RunningDemo {
  /** The page, e.g. `http://127.0.0.1:5173/`. */
  readonly url: string;
  readonly server: RunningServer;
  readonly token: string;
  readonly adminToken: string;
  /** Stops Vite and the server (closing the database). Idempotent. */
  close(): Promise<void>;
}

const USER_ID = 'demo';
const SEED_CHUNK = 20_000;
const demoRoot = fileURLToPath(new URL('./', import.meta.url));
const repoRoot = fileURLToPath(new URL('../', import.meta.url));

/** Starts the server (seeding it if empty) and the page. */
export async function startDemo(options: DemoOptions = {}): Promise<RunningDemo> {
  const log = options.log ?? ((line: string) => console.log(line));
  const dataDir = options.dataDir ?? '.data/demo';
  mkdirSync(dataDir, { recursive: true });
  const adminToken = randomBytes(24).toString('base64url');
  const server = await startServer({
    dataDir,
    port: options.serverPort ?? 8787,
    adminToken,
    ...(options.verbose ? {} : { logger: () => {} }),
  });
  let vite: ViteDevServer | undefined;
  try {
    log(`reference server on ${server.url} (PGlite in ${dataDir}, schema ${server.schema.state})`);
    if (options.seed !== false && (await server.admin.countRecords('service_types')) === 0) {
      await seed(server, options.rows ?? 100_000, log);
    }
    const { token } = await server.admin.createUser(USER_ID);
    const config = { serverUrl: server.url, token, adminToken, userId: USER_ID };
    vite = await createServer({
      configFile: false,
      root: demoRoot,
      logLevel: 'warn',
      clearScreen: false,
      plugins: [configEndpoint(config)],
      server: {
        host: '127.0.0.1',
        port: options.port ?? 5173,
        strictPort: true,
        fs: { allow: [repoRoot] },
        proxy: {
          '/v1': { target: server.url, ws: true },
          '/admin': { target: server.url },
        },
      },
      build: { target: 'es2022' },
      cacheDir: fileURLToPath(new URL('../node_modules/.vite-demo', import.meta.url)),
      // Pre-bundle the SDK's dependencies at start: discovered later, Vite would reload the page
      // in the middle of its first sync.
      optimizeDeps: { include: ['idb', 'rxjs', 'eventsource-parser'] },
    });
    await vite.listen();
    const address = vite.httpServer?.address();
    const port = typeof address === 'object' && address !== null ? address.port : options.port;
    const url = `http://127.0.0.1:${port}/`;
    let closing: Promise<void> | undefined;
    const started = vite;
    return {
      url,
      server,
      token,
      adminToken,
      close: () => {
        closing ??= started.close().finally(() => server.close());
        return closing;
      },
    };
  } catch (error) {
    await vite?.close().catch(() => undefined);
    await server.close();
    throw error;
  }
}

async function seed(server: RunningServer, rows: number, log: (line: string) => void): Promise<void> {
  const started = performance.now();
  // One INSERT … SELECT per chunk (each its own transaction) so progress can be printed.
  for (let offset = 0; offset < rows; offset += SEED_CHUNK) {
    const count = Math.min(SEED_CHUNK, rows - offset);
    await seedServiceTypes(server.db, count, { offset });
    log(
      `seeding service_types: ${offset + count} / ${rows} (${((performance.now() - started) / 1000).toFixed(1)} s)`,
    );
  }
  await seedCustomers(server.db, USER_ID, 50);
  await seedWorkOrders(server.db, USER_ID, 30);
  log(`seeded ${rows} service types, 50 customers and 30 work orders of "${USER_ID}"`);
}

function configEndpoint(config: Record<string, string>): Plugin {
  return {
    name: 'idb-sync-demo-config',
    configureServer(server) {
      server.middlewares.use('/demo-config.json', (_req, res: ServerResponse) => {
        res.setHeader('content-type', 'application/json');
        res.setHeader('cache-control', 'no-store');
        res.end(JSON.stringify(config));
      });
    },
  };
}
