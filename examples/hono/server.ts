// The sync server mounted in a Hono app (on Node through @hono/node-server): Hono routes /sync/*
// to the sync server's fetch handler; WebSocket is attached to the Node server underneath.
//   APP_SECRET=… PORT=3000 node --import tsx examples/hono/server.ts
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createSyncServer } from 'idb-sync/server';
import { port, syncOptions } from '../shared/config.js';

const sync = await createSyncServer(syncOptions());

const app = new Hono();
app.get('/api/hello', (c) => c.json({ hello: 'from hono' }));
app.all('/sync/*', (c) => sync.fetch(c.req.raw));

const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) => {
  console.log(`listening on http://127.0.0.1:${info.port}`);
}) as Server;
sync.attach(server); // WebSocket upgrades of /sync/v1/ws

process.once('SIGTERM', async () => {
  server.close();
  await sync.close();
  process.exit(0);
});
