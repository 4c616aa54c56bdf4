import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { normalize, sep } from 'node:path';
import type { ControlHub } from '../../e2e/harness/control-hub.js';
import { serveFile } from '../../e2e/harness/serve-file.js';
import { type ShapingLink, startShapingLink } from './network/shaping-link.js';

/** The origin the benchmark pages are loaded from. */
export interface BenchOrigin {
  /** `http://127.0.0.1:<port>`: the port of the network link in front of the origin. */
  readonly origin: string;
  /** The link every request of the pages crosses; it shapes and counts the `/v1/*` exchanges. */
  readonly network: ShapingLink;
  close(): Promise<void>;
}

/**
 * One origin on 127.0.0.1 for the pages and the sync server: it serves the bundle from `dir` and
 * forwards `/v1/*` to the reference server at `target`, streaming bodies both ways. The reference
 * server sends no CORS headers, so pages must reach it on their own origin; every implementation
 * goes through this same hop, which costs well under a millisecond per request on loopback.
 * With a `hub`, it also serves the control channel of pages driven without automation.
 *
 * Browsers reach it through a {@link ShapingLink} (a TCP relay, see network/shaping-link.ts): its
 * profile (loopback, wifi, cellular) delays and rate-limits the sync server's exchanges, the same
 * for every implementation, and counts their bytes as sent. Page files and the control channel
 * cross it unshaped.
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
  const link = await startShapingLink({ targetPort: port, shapes: (path) => path.startsWith('/v1/') });
  return {
    origin: `http://127.0.0.1:${link.port}`,
    network: link.link,
    close: async () => {
      hub?.close();
      await link.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
