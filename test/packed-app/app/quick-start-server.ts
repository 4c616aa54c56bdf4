// The README's quick start syncs with `url: location.origin`: this second service of the app serves
// the quick start's page and the sync server at the same origin (sync API at the root, after the
// static files), on its own schema of the app's database, with the app's tokens.
//   DATABASE_URL=… APP_SECRET=… ADMIN_TOKEN=… PORT=0 node build/quick-start-server.js
import { createServer } from 'node:http';
import express from 'express';
import { createSyncServer, postgresStorage } from 'idb-sync/server';
import { authenticate } from './auth.js';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('Set DATABASE_URL');

const sync = await createSyncServer({
  storage: postgresStorage({ connectionString: databaseUrl, schema: 'quick_start' }),
  collections: [{ name: 'work_orders', scope: 'user' }],
  authenticate,
  autoMigrate: true,
  ...(process.env.ADMIN_TOKEN ? { adminToken: process.env.ADMIN_TOKEN } : {}),
});

const app = express();
app.use(express.static(new URL('../public', import.meta.url).pathname, { index: false }));
app.use(sync.nodeHandler);

const server = createServer(app);
sync.attach(server);
server.listen(Number(process.env.PORT ?? 3001), '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening on http://127.0.0.1:${typeof address === 'object' ? address?.port : ''}`);
});

process.once('SIGTERM', async () => {
  server.close();
  await sync.close();
  process.exit(0);
});
