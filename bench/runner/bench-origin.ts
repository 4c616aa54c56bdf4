import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { normalize, sep } from 'node:path';
import type { ControlHub } from '../../e2e/harness/control-hub.js';
import { serveFile } from '../../e2e/harness/serve-file.js';

/** The origin the benchmark pages are loaded from. */
export interface BenchOrigin {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * One origin on 127.0.0.1 for the pages and the sync server: it serves the bundle from `dir` and
 * forwards `/v1/*` to the reference server at `target`, streaming bodies both ways. The reference
 * server sends no CORS headers, so pages must reach it on their own origin; every implementation
 * goes through this same hop, which costs well under a millisecond per request on loopback.
 * With a `hub`, it also serves the control channel of pages driven without automation.
 */
export async function serveBenchOrigin(dir: string, target: string, hub?: ControlHub): Promise<BenchOrigin> {
  const root = normalize(dir + sep);
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (hub?.handle(req, res, url)) return;
    if (url.pathname.startsWith('/v1/')) {
      const forward = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: url.pathname + url.search,
          headers: { ...req.headers, host: upstream.host },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', (error) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`bench origin: the sync server did not answer: ${error.message}`);
      });
      req.pipe(forward);
      return;
    }
    // Cross-origin isolation: browsers then give performance.now() its fine resolution (otherwise
    // coarsened to 0.1 ms in Chromium, 1 ms in WebKit), which per-write timings need.
    serveFile(root, url.pathname, req, res, {
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        hub?.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
