import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import { normalize, sep } from 'node:path';
import type { ControlHub } from './control-hub.js';
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

/** The upstream port of a path under {@link proxyPrefix}, and the path to ask it for. */
function proxyTarget(rest: string): { port: number; path: string } | undefined {
  const slash = rest.indexOf('/');
  const port = Number(slash < 0 ? rest : rest.slice(0, slash));
  if (!Number.isInteger(port) || port <= 0 || port > 65_535) return undefined;
  return { port, path: slash < 0 ? '/' : rest.slice(slash) };
}

/**
 * Forwards a request under {@link proxyPrefix} to 127.0.0.1:<port>, streaming both ways (SSE works).
 * When nothing listens there (a scenario stopped its server) the page's connection is destroyed, so
 * the page sees a network failure, as it would with the server down, not an HTTP error.
 */
function proxy(request: IncomingMessage, response: ServerResponse, rest: string): void {
  const target = proxyTarget(rest);
  if (target === undefined) {
    response.writeHead(400).end();
    return;
  }
  const { port, path } = target;
  const headers = { ...request.headers, host: `127.0.0.1:${port}` };
  const upstream = httpRequest(
    { host: '127.0.0.1', port, method: request.method, path, headers },
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
 * Forwards a WebSocket handshake under {@link proxyPrefix} (the demo's transport) to 127.0.0.1:<port>:
 * the request head is replayed with the upstream path, then bytes flow both ways untouched.
 */
function proxyUpgrade(request: IncomingMessage, socket: Socket, head: Buffer, rest: string): void {
  const target = proxyTarget(rest);
  if (target === undefined) {
    socket.destroy();
    return;
  }
  const upstream = connect(target.port, '127.0.0.1', () => {
    const lines = [`${request.method ?? 'GET'} ${target.path} HTTP/1.1`];
    for (let i = 0; i < request.rawHeaders.length; i += 2) {
      const name = request.rawHeaders[i] ?? '';
      const value = name.toLowerCase() === 'host' ? `127.0.0.1:${target.port}` : request.rawHeaders[i + 1];
      lines.push(`${name}: ${value}`);
    }
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  upstream.on('error', () => socket.destroy());
  socket.on('error', () => upstream.destroy());
  socket.on('close', () => upstream.destroy());
  upstream.on('close', () => socket.destroy());
}

/**
 * Serves the built bundle from `dir` on 127.0.0.1 and a free port: IndexedDB needs a real origin
 * (file:// has none). Nothing is cached, so a rebuilt bundle is always the one loaded. Requests under
 * `/proxy/<port>/` go to a local server on that port (see {@link proxiedPath}), WebSockets included;
 * with `control`, requests under `/page-control/` are its channel to pages driven without automation.
 */
export async function serveDirectory(dir: string, control?: ControlHub): Promise<StaticServer> {
  const root = normalize(dir + sep);
  const server = createServer((request, response) => {
    const rawPath = request.url ?? '/';
    if (control?.handle(request, response, new URL(rawPath, 'http://localhost'))) return;
    if (rawPath.startsWith(proxyPrefix)) {
      proxy(request, response, rawPath.slice(proxyPrefix.length));
      return;
    }
    serveFile(root, new URL(rawPath, 'http://localhost').pathname, request, response);
  });
  // Upgraded sockets leave the HTTP server's bookkeeping: closed by hand on close().
  const upgraded = new Set<Socket>();
  server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    upgraded.add(socket);
    socket.on('close', () => upgraded.delete(socket));
    const rawPath = request.url ?? '/';
    if (rawPath.startsWith(proxyPrefix))
      proxyUpgrade(request, socket, head, rawPath.slice(proxyPrefix.length));
    else socket.destroy();
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
        control?.close();
        server.closeAllConnections();
        for (const socket of upgraded) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
