import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultTransport } from '../../test/sync/fault-transport.js';
import { type SyncFixture, serverState, startSyncFixture, testStores } from '../../test/sync/sync-fixture.js';
import { testVersion } from '../../test/sync/test-database.js';
import { isIdbSyncError } from '../errors/idb-sync-error.js';

import { createHttpTransport } from '../transport/http-transport.js';
import { userDatabaseName } from './database-name.js';
import { openSession, type Session } from './open-session.js';

let fx: SyncFixture;
beforeAll(async () => {
  fx = await startSyncFixture();
});
afterAll(() => fx?.close());

let apps = 0;
const only = { work_orders: {}, parts: {} };

/** A session of `user` on app `appName`, with a sync client over real HTTP (faults switchable). */
async function signIn(user: string, appName: string) {
  const token = await fx.user(user);
  const session = await openSession({
    appName,
    userId: user,
    database: { versions: [testVersion(1, testStores)] as never, blockedTimeoutMs: 5_000 },
  });
  const transport = new FaultTransport(
    createHttpTransport({
      baseUrl: fx.server.url,
      schemaVersion: 1,
      getToken: () => token,
      retry: { requestRetries: 0 },
    }),
  );
  const client = session.createSyncClient({ transport, locks: null, autoPush: false, collections: only });
  return { session, transport, client };
}

async function records(session: Session, store: string): Promise<unknown[]> {
  return session.database.getAll(store as never);
}

describe('sessions', () => {
  it('names each user their own database without the user id in it', async () => {
    const a = await userDatabaseName('field-app', 'alice@example.com');
    const b = await userDatabaseName('field-app', 'bob@example.com');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^field-app:u:[0-9a-f]{32}$/);
    expect(a).not.toContain('alice');
    expect(await userDatabaseName('field-app', 'alice@example.com')).toBe(a);
    expect(await userDatabaseName('other-app', 'alice@example.com')).not.toBe(a);
  });

  it("shows a second user of the same browser none of the first user's data", async () => {
    apps += 1;
    const app = `shared-browser-${apps}`;
    await fx.seed('work_orders', 3, { owner: 'ann', prefix: 'ann' });
    const ann = await signIn('ann', app);
    await ann.client.sync();
    await ann.session.database.put('work_orders', { id: 'ann-draft', title: 'only mine' });
    expect(await records(ann.session, 'work_orders')).toHaveLength(4);

    const ben = await signIn('ben', app);
    expect(await records(ben.session, 'work_orders')).toEqual([]);
    await ben.client.sync();
    expect(await records(ben.session, 'work_orders')).toEqual([]);
    expect(await ben.client.pendingWrites()).toBe(0);
    await ann.session.signOut({ force: true });
    await ben.session.signOut();
  });

  it("pushes the user's writes, then deletes their database, outbox included", async () => {
    apps += 1;
    const app = `sign-out-${apps}`;
    const cy = await signIn('cy', app);
    await cy.client.sync();
    await cy.session.database.put('work_orders', { id: 'w1', title: 'written before sign-out' });

    const report = await cy.session.signOut();

    expect(report).toEqual({ database: cy.session.databaseName, pushed: true, droppedWrites: 0 });
    expect(await serverState(fx.server, 'work_orders', 'cy')).toEqual({
      w1: { id: 'w1', title: 'written before sign-out' },
    });
    // Signing in again starts from an empty database.
    const again = await signIn('cy', app);
    expect(await records(again.session, 'work_orders')).toEqual([]);
    expect(await again.client.pendingWrites()).toBe(0);
    await again.session.signOut();
  });

  it('refuses to drop writes it could not push, and drops them with force', async () => {
    apps += 1;
    const app = `offline-sign-out-${apps}`;
    const dee = await signIn('dee', app);
    await dee.client.sync();
    await dee.session.database.put('work_orders', { id: 'w1', title: 'unpushed' });
    dee.transport.offline = true;

    const refused = await dee.session.signOut().catch((e: unknown) => e);
    expect(isIdbSyncError(refused, 'UNPUSHED_WRITES')).toBe(true);
    expect(refused).toMatchObject({ pendingWrites: 1, database: dee.session.databaseName });
    expect((refused as Error).message).not.toContain('unpushed');
    expect(await records(dee.session, 'work_orders')).toHaveLength(1);
    expect(await dee.client.pendingWrites()).toBe(1);

    const noPush = await dee.session.signOut({ push: false }).catch((e: unknown) => e);
    expect(isIdbSyncError(noPush, 'UNPUSHED_WRITES')).toBe(true);
    expect(dee.transport.pushes).toHaveLength(0);

    const forced = await dee.session.signOut({ force: true });
    expect(forced).toEqual({ database: dee.session.databaseName, pushed: false, droppedWrites: 1 });
    expect(await serverState(fx.server, 'work_orders', 'dee')).toEqual({});
    const again = await signIn('dee', app);
    expect(await records(again.session, 'work_orders')).toEqual([]);
    await again.session.signOut();
  });

  it('signs out without pushing when there is nothing to push', async () => {
    apps += 1;
    const eve = await signIn('eve', `quiet-${apps}`);
    await eve.client.sync();
    expect(await eve.session.signOut({ push: false })).toEqual({
      database: eve.session.databaseName,
      pushed: false,
      droppedWrites: 0,
    });
    expect(() => eve.session.createSyncClient({ transport: eve.transport })).toThrow(/signed out/);
  });
});
