import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A response as the proxy forwards it; a mangler returns the one to send instead. */
export interface ProxiedResponse {
  status: number;
  contentType: string;
  body: string;
}

/** Rewrites the answer to one request (`path` like `/v1/pull`, `requestBody` as sent). */
export type Mangler = (response: ProxiedResponse, path: string, requestBody: string) => ProxiedResponse;

/** A real HTTP proxy on 127.0.0.1 in front of a server, rewriting answers as a broken server or proxy would. */
export interface ManglingProxy {
  readonly url: string;
  /** The rewrite applied from now on (`undefined`: forward unchanged). */
  mangle: Mangler | undefined;
  close(): Promise<void>;
}

/** Starts a proxy to `target` on a free port. */
export async function startManglingProxy(target: string): Promise<ManglingProxy> {
  const proxy: ManglingProxy = {
    url: '',
    mangle: undefined,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const requestBody = Buffer.concat(chunks).toString('utf8');
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) {
        if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers.set(k, v);
      }
      try {
        const upstream = await fetch(`${target}${req.url ?? '/'}`, {
          method: req.method ?? 'GET',
          headers,
          ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body: requestBody }),
        });
        let answer: ProxiedResponse = {
          status: upstream.status,
          contentType: upstream.headers.get('content-type') ?? 'application/json',
          body: await upstream.text(),
        };
        if (proxy.mangle !== undefined) answer = proxy.mangle(answer, req.url ?? '/', requestBody);
        res.writeHead(answer.status, { 'content-type': answer.contentType });
        res.end(answer.body);
      } catch {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end('proxy error');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.on('connection', (socket) => socket.unref());
  (proxy as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = proxy.close;
  proxy.close = () => {
    server.closeAllConnections();
    return close();
  };
  return proxy;
}
