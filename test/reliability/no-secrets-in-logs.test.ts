import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyncClient } from '../../src/sync/sync-client.js';
import type { SyncLogEntry } from '../../src/sync/sync-log.js';
import { createHttpTransport } from '../../src/transport/http-transport.js';
import { type SyncFixture, startSyncFixture, testStores } from '../sync/sync-fixture.js';
import { openTestDatabase, uniqueDbName } from '../sync/test-database.js';

let fx: SyncFixture;
beforeAll(async () => {
  fx = await startSyncFixture();
});
afterAll(() => fx?.close());

const SECRET_VALUE = 'SECRET-CONTENT-7f3a9c';

describe('logs and error messages', () => {
  it('never contain tokens or record contents, client or server side, across syncs, conflicts and errors', async () => {
    const token = (await fx.server.admin.createUser('logs', { token: 'tok-SECRET-0b1e2d3c4f' })).token;
    await fx.server.admin.putRecord('work_orders', 'w1', { title: `server ${SECRET_VALUE}` }, 'logs');
    const clientLog: SyncLogEntry[] = [];
    const transportLog: unknown[] = [];
    const errors: unknown[] = [];
    // service_types is read-only on the server: declared transactional here, a write to it is refused there.
    const db = openTestDatabase(uniqueDbName('logs'), {
      ...testStores,
      service_types: { kind: 'transactional' },
    });
    const client = createSyncClient({
      database: db,
      transport: createHttpTransport({
        baseUrl: fx.server.url,
        schemaVersion: db.version,
        getToken: () => token,
        retry: { requestRetries: 0 },
        logger: (entry) => transportLog.push(entry),
      }),
      collections: { work_orders: {}, service_types: {} },
      locks: null,
      autoPush: false,
      logger: (entry) => clientLog.push(entry),
    });
    client.errors$.subscribe((e) => errors.push(e));

    expect((await client.sync()).outcome).toBe('ok');
    // A conflict (both sides edit w1), a rejected write (read-only collection), a server refusal.
    await db.put('work_orders', { id: 'w1', title: `local ${SECRET_VALUE}` });
    await fx.server.admin.putRecord('work_orders', 'w1', { title: `newer ${SECRET_VALUE}` }, 'logs');
    await db
      .put('service_types', { id: 'st1', title: `forbidden ${SECRET_VALUE}` })
      .catch((e) => errors.push(e));
    await client.sync();
    await fx.server.admin.revokeTokens('logs');
    await db.put('work_orders', { id: 'w2', title: `after revoke ${SECRET_VALUE}` });
    await client.sync();

    expect(clientLog.some((e) => e.type === 'conflict')).toBe(true);
    expect(clientLog.some((e) => e.type === 'error')).toBe(true);
    expect(errors.length).toBeGreaterThan(0);
    expect(fx.server.logs.length).toBeGreaterThan(0);
    const captured = JSON.stringify({
      clientLog,
      transportLog,
      serverLog: fx.server.logs,
      errors: errors.map((e) => ({ message: (e as Error).message, ...(e as object) })),
    });
    expect(captured).not.toContain(token);
    expect(captured).not.toContain('SECRET');
    await client.close();
    await db.close();
  });
});
