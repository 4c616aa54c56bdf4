// The sync server mounted in an Express app beside the app's own JSON API.
//   APP_SECRET=… PORT=3000 node --import tsx examples/express/server.ts
import { createServer } from 'node:http';
import express from 'express';
import { createSyncServer } from 'idb-sync/server';
import { port, syncOptions } from '../shared/config.js';

const sync = await createSyncServer(syncOptions());

const app = express();
// Before any body parser: the sync server reads (and limits) request bodies itself.
app.use(sync.nodeHandler);
app.use(express.json());
app.get('/api/hello', (_req, res) => {
  res.json({ hello: 'from express' });
});

const server = createServer(app);
sync.attach(server); // WebSocket upgrades of /sync/v1/ws

server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening on http://127.0.0.1:${typeof address === 'object' ? address?.port : port}`);
});

process.once('SIGTERM', async () => {
  server.close();
  await sync.close();
  process.exit(0);
});
