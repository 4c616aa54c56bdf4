import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

/**
 * Answers a GET for a file below `root` (which must end with the path separator): `index.html` for a
 * directory, 403 outside `root` or for other methods, 404 when missing. Never cached, since the
 * bundles are rebuilt per run. Shared by the e2e static server and the bench origin.
 */
export function serveFile(
  root: string,
  pathname: string,
  request: IncomingMessage,
  response: ServerResponse,
  extraHeaders: Record<string, string> = {},
): void {
  const path = decodeURIComponent(pathname);
  const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
  if (!file.startsWith(root) || request.method !== 'GET') {
    response.writeHead(403).end();
    return;
  }
  readFile(file).then(
    (body) => {
      response.writeHead(200, {
        'content-type': contentTypes[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
        ...extraHeaders,
      });
      response.end(body);
    },
    () => response.writeHead(404).end(),
  );
}
