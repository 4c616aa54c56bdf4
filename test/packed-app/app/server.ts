// A team's Express service, as a fresh project would write it after `npm install idb-sync pg express`
// (plus the server's optional peers hono, @hono/node-server and ws): the sync server is mounted at
// /sync beside the app's own routes, on the app's own PostgreSQL table `work_orders` (appTable), with
// the app's own sign-in tokens. test/packed-app/run.ts installs it from the packed tarball and drives it.
//   DATABASE_URL=… APP_SECRET=… ADMIN_TOKEN=… PORT=0 node build/server.js
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import express from 'express';
import { appTable, createSyncServer, postgresStorage } from 'idb-sync/server';
import pg from 'pg';
import { authenticate, issueToken } from './auth.js';

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`Set ${name}`);
  return value;
}
const databaseUrl = env('DATABASE_URL');
env('APP_SECRET');

// The app's own schema, migrated by the app (the sync server only adds triggers to it).
const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
await pool.query(await readFile(new URL('../schema.sql', import.meta.url), 'utf8'));

const sync = await createSyncServer({
  // The server's bookkeeping (change log, clients, tokens) in a schema of its own, beside the app's.
  storage: postgresStorage({ connectionString: databaseUrl, schema: 'idb_sync' }),
  collections: [
    {
      name: 'work_orders',
      scope: 'user',
      store: appTable({
        table: 'public.work_orders',
        key: 'id',
        owner: 'technician_id',
        columns: { title: 'title', status: 'status', priority: 'priority', dueDate: 'due_date' },
      }),
    },
    // Free-form per-user records, kept in the sync server's own table.
    { name: 'notes', scope: 'user' },
  ],
  authenticate,
  basePath: '/sync',
  autoMigrate: true, // one instance: it installs and updates the server's tables at start
  ...(process.env.ADMIN_TOKEN ? { adminToken: process.env.ADMIN_TOKEN } : {}),
});

const app = express();
app.use(sync.nodeHandler); // before the body parsers: the sync server reads its bodies itself
app.use(express.json());
app.use(express.static(new URL('../public', import.meta.url).pathname));
app.post('/api/sign-in', (req, res) => {
  const userId: unknown = req.body?.userId;
  if (typeof userId !== 'string' || !/^[\w-]{1,64}$/.test(userId)) {
    res.status(400).json({ error: 'userId' });
    return;
  }
  res.json({ userId, token: issueToken(userId) });
});

const server = createServer(app);
sync.attach(server);
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening on http://127.0.0.1:${typeof address === 'object' ? address?.port : ''}`);
});

process.once('SIGTERM', async () => {
  server.close();
  await sync.close();
  await pool.end();
  process.exit(0);
});
