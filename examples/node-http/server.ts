// The sync server mounted in a plain `node:http` app: the app answers its own routes, the sync
// server everything under /sync (HTTP, Server-Sent Events and WebSocket).
//   APP_SECRET=… PORT=3000 node --import tsx examples/node-http/server.ts
import { createServer } from 'node:http';
import { createSyncServer } from 'idb-sync/server';
import { port, syncOptions } from '../shared/config.js';

const sync = await createSyncServer(syncOptions());

const server = createServer((req, res) => {
  // Requests under /sync go to the sync server, the rest (the `next` callback) to the app.
  sync.nodeHandler(req, res, () => {
    if (req.method === 'GET' && req.url === '/api/hello') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"hello":"from node:http"}');
    } else {
      res.writeHead(404).end();
    }
  });
});
sync.attach(server); // WebSocket upgrades of /sync/v1/ws

server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening on http://127.0.0.1:${typeof address === 'object' ? address?.port : port}`);
});

process.once('SIGTERM', async () => {
  server.close();
  await sync.close(); // ends event streams and sockets, closes the database
  process.exit(0);
});
