import { describe, expect, it } from 'vitest';
import { importPeers } from './import-peers.js';

/** Node's error for a bare import that is not installed, as `import()` throws it. */
function notFound(pkg: string): Error {
  return Object.assign(new Error(`Cannot find package '${pkg}' imported from /app/node_modules/x.js`), {
    code: 'ERR_MODULE_NOT_FOUND',
  });
}

describe('importPeers', () => {
  it('names the packages to install when an optional peer is missing', async () => {
    const error = await importPeers(
      () => Promise.reject(notFound('@hono/node-server')),
      ['hono', '@hono/node-server', 'ws'],
      'to serve HTTP and WebSocket',
    ).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(
      'idb-sync/server needs the packages hono, @hono/node-server, ws to serve HTTP and WebSocket ' +
        '("@hono/node-server" is not installed; optional peer dependencies): npm install hono @hono/node-server ws',
    );
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('passes through other failures, and a missing module that is not one of the peers', async () => {
    const boom = new Error('boom');
    await expect(importPeers(() => Promise.reject(boom), ['pg'], 'for PostgreSQL')).rejects.toBe(boom);
    const other = notFound('left-pad');
    await expect(importPeers(() => Promise.reject(other), ['pg'], 'for PostgreSQL')).rejects.toBe(other);
    await expect(importPeers(() => Promise.resolve(42), ['pg'], 'for PostgreSQL')).resolves.toBe(42);
  });
});
