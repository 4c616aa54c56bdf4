import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  localState,
  type SyncFixture,
  serverState,
  startSyncFixture,
  testStores,
  warmServerTemplate,
} from '../../test/sync/sync-fixture.js';
import { testVersion, uniqueDbName } from '../../test/sync/test-database.js';
import type { ConnectionSource } from '../idb/connection.js';
import { transact } from '../idb/transact.js';
import { SYNC_STATE_STORE } from './internal-stores.js';
import { connectionSource } from './sync-database.js';

let fx: SyncFixture | undefined;
beforeAll(warmServerTemplate);
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

/** The fallback lock records (`lock:leader`, `lock:run`) as `{ key → owner }`. */
const leases = (connect: ConnectionSource) =>
  transact(connect, [SYNC_STATE_STORE], 'readonly', (scope) => {
    const found: Record<string, string> = {};
    for (const key of ['lock:leader', 'lock:run']) {
      scope.on(scope.store(SYNC_STATE_STORE).get(key), (record: { owner: string } | undefined) => {
        if (record !== undefined) found[key] = record.owner;
      });
    }
    return () => found;
  });

describe('the fallback lock (no Web Locks) and another tab’s upgrade', () => {
  it('held by a tab whose run the upgrade cut is free at once: the upgraded tab leads and syncs without waiting', async () => {
    fx = await startSyncFixture();
    const token = await fx.user('lease-upgrade');
    await fx.seed('parts', 60, { prefix: 'p' });
    const dbName = uniqueDbName('lease-upgrade');
    // A lease far longer than the test: waiting for it to run out would time the test out.
    const client = { collections: { parts: {} }, lockTtlMs: 600_000 };
    const oldTab = fx.app(token, { dbName, client });
    const held = oldTab.transport.holdPullsAfter(1);
    await oldTab.client.start();
    await held; // the old tab leads and its first run is in the middle of the full sync
    const before = await leases(connectionSource(oldTab.db));
    expect(Object.keys(before).sort()).toEqual(['lock:leader', 'lock:run']);
    const oldOwner = before['lock:run'];
    const events: string[] = [];
    oldTab.db.events$.subscribe((event) => {
      if (event.type === 'versionchange') events.push(`versionchange reloadRequired=${event.reloadRequired}`);
    });

    // Another tab with newer code opens the database: the old tab's connection closes for good, its
    // leases stay behind (its release cannot reach the database any more).
    const v1 = testVersion(1, testStores);
    const newTab = fx.app(token, { dbName, versions: [v1, testVersion(2, testStores)], client });
    const newConnect = connectionSource(newTab.db);
    expect(await leases(newConnect)).toEqual({ 'lock:leader': oldOwner, 'lock:run': oldOwner });
    expect(events).toEqual(['versionchange reloadRequired=true']);

    // start() resolves once this tab leads or found the lock held: it leads at once.
    await newTab.client.start();
    expect(newTab.client.isLeader).toBe(true);
    const leader = (await leases(newConnect))['lock:leader'];
    expect(leader).not.toBe(oldOwner);
    const summary = await newTab.client.sync();
    expect(summary.outcome).toBe('ok');
    expect(await localState(newTab.db, 'parts')).toEqual(await serverState(fx.server, 'parts'));
    // The run lock was taken over too (released after the run), the lead is still the new tab's.
    expect(await leases(newConnect)).toEqual({ 'lock:leader': leader });
    oldTab.transport.releasePulls();
  });
});
