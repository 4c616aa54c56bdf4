// Starts a browser field app example (React or Vue): the reference server on PGlite (a small catalog
// and a few work orders seeded when empty), a token for user "field", and the app's index.html on
// Vite's dev server, which serves `/field-app-config.json` (where to sync, as whom) and proxies the
// sync API (HTTP and WebSocket) so the page talks to its own origin.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createServer, type PluginOption } from 'vite';
import { seedServiceTypes, seedWorkOrders } from '../../server/seed.js';
import { startServer } from '../../server/start-server.js';

const USER_ID = 'field';
const source = (path: string) => fileURLToPath(new URL(`../../src/${path}`, import.meta.url));

/**
 * Starts the app in `root` (a directory with an index.html) with Vite `plugins`; reads `--port`
 * (default `defaultPort`) and `--data-dir` (default `.data/<name>`) from the command line.
 */
export async function startFieldApp(options: {
  readonly name: string;
  readonly root: string;
  readonly defaultPort: number;
  readonly plugins?: PluginOption[];
  readonly optimize?: string[];
}): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      port: { type: 'string', default: String(options.defaultPort) },
      'data-dir': { type: 'string', default: `.data/${options.name}` },
    },
  });
  mkdirSync(args['data-dir'], { recursive: true });
  const server = await startServer({
    dataDir: args['data-dir'],
    port: 0,
    adminToken: randomBytes(24).toString('base64url'),
    logger: () => {},
  });
  if ((await server.admin.countRecords('service_types')) === 0) {
    await seedServiceTypes(server.db, 2_000);
    await seedWorkOrders(server.db, USER_ID, 12);
  }
  const { token } = await server.admin.createUser(USER_ID);
  const vite = await createServer({
    configFile: false,
    root: options.root,
    logLevel: 'warn',
    clearScreen: false,
    plugins: [
      ...(options.plugins ?? []),
      {
        name: 'field-app-config',
        configureServer(dev) {
          dev.middlewares.use('/field-app-config.json', (_req, res: ServerResponse) => {
            res.setHeader('content-type', 'application/json');
            res.end(JSON.stringify({ serverUrl: '', token }));
          });
        },
      },
    ],
    // The apps import the package by name, as an app does; here the names map to the sources.
    resolve: {
      alias: [
        { find: /^idb-sync\/react$/, replacement: source('react/index.ts') },
        { find: /^idb-sync\/vue$/, replacement: source('vue/index.ts') },
        { find: /^idb-sync$/, replacement: source('index.ts') },
      ],
    },
    server: {
      host: '127.0.0.1',
      port: Number(args.port),
      strictPort: true,
      fs: { allow: [fileURLToPath(new URL('../../', import.meta.url))] },
      proxy: { '/v1': { target: server.url, ws: true } },
    },
    build: { target: 'es2022' },
    cacheDir: fileURLToPath(new URL(`../../node_modules/.vite-${options.name}`, import.meta.url)),
    optimizeDeps: { include: ['idb', 'rxjs', 'eventsource-parser', ...(options.optimize ?? [])] },
  });
  await vite.listen();
  console.log(
    `${options.name} on http://127.0.0.1:${args.port}/ (sync server ${server.url}, user "${USER_ID}")`,
  );
  const stop = async () => {
    await vite.close();
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
