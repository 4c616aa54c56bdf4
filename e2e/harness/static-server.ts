import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { normalize, sep } from 'node:path';
import { serveFile } from './serve-file.js';

/** A running static file server; `origin` is `http://127.0.0.1:<port>`. */
export interface StaticServer {
  readonly origin: string;
  close(): Promise<void>;
}

/** Path prefix of the same-origin proxy: `/proxy/<port>/v1/pull` → `http://127.0.0.1:<port>/v1/pull`. */
export const proxyPrefix = '/proxy/';

/**
 * The page's URL for a server on 127.0.0.1 at `serverUrl`, through the static server's proxy:
 * `${location.origin}/proxy/<port>`. The reference server sends no CORS headers, so pages reach it
 * from their own origin.
 */
export function proxiedPath(serverUrl: string): string {
  return `${proxyPrefix}${new URL(serverUrl).port}`;
}

/**
 * Forwards a request under {@link proxyPrefix} to 127.0.0.1:<port>, streaming both ways (SSE works).
 * When nothing listens there (a scenario stopped its server) the page's connection is destroyed, so
 * the page sees a network failure, as it would with the server down, not an HTTP error.
 */
function proxy(request: IncomingMessage, response: ServerResponse, rest: string): void {
  const slash = rest.indexOf('/');
  const port = Number(slash < 0 ? rest : rest.slice(0, slash));
  if (!Number.isInteger(port) || port <= 0 || port > 65_535) {
    response.writeHead(400).end();
    return;
  }
  const headers = { ...request.headers, host: `127.0.0.1:${port}` };
  const upstream = httpRequest(
    { host: '127.0.0.1', port, method: request.method, path: slash < 0 ? '/' : rest.slice(slash), headers },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    },
  );
  upstream.on('error', () => response.destroy());
  response.on('close', () => upstream.destroy());
  request.pipe(upstream);
}

/**
 * Serves the built bundle from `dir` on 127.0.0.1 and a free port: IndexedDB needs a real origin
 * (file:// has none). Nothing is cached, so a rebuilt bundle is always the one loaded. Requests under
 * `/proxy/<port>/` go to a local server on that port (see {@link proxiedPath}).
 */
export async function serveDirectory(dir: string): Promise<StaticServer> {
  const root = normalize(dir + sep);
  const server = createServer((request, response) => {
    const rawPath = request.url ?? '/';
    if (rawPath.startsWith(proxyPrefix)) {
      proxy(request, response, rawPath.slice(proxyPrefix.length));
      return;
    }
    serveFile(root, new URL(rawPath, 'http://localhost').pathname, request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
