import assert from 'node:assert/strict';
import { defineScenario } from '../harness/scenario.js';
import { startScenarioServer } from './support/reference-server.js';
import type * as page from './sync-app.page.js';

const blockedTimeoutMs = 1_500;

export default defineScenario<typeof page>({
  title: 'a blocked upgrade (another tab never closes) ends in the typed blocked state within the timeout',
  page: 'sync-app',
  // Mostly starting PGlite and two tabs: 25 s on a quiet machine, 60 s when the CPU is shared.
  timeoutMs: 120_000,
  async run({ tab, note }) {
    const server = await startScenarioServer();
    try {
      await server.seedParts(5);
      const token = await server.user('ana');
      await server.seedUserData('ana', 4, 2);
      const config = { dbName: 'blocked-sync', serverPath: server.path, token, blockedTimeoutMs };

      // Tab A: synced on v1, then a connection that ignores versionchange stays open.
      await tab.run('openApp', { ...config, version: 1 });
      assert.equal((await tab.run('sync')).outcome, 'ok');
      await tab.run('closeApp');
      assert.equal((await tab.run('holdRawConnection', 'blocked-sync')).version, 1_002);

      // Tab B, v2 code: its open and its sync end in the typed blocked state, in time.
      const tabB = await tab.newTab();
      await tabB.run('openApp', { ...config, version: 2 });
      // The sync client cannot open its database: the run ends in error with the typed blocked code.
      const blockedRun = await tabB.run('sync');
      assert.equal(blockedRun.outcome, 'error', JSON.stringify(blockedRun));
      assert.equal(blockedRun.error?.code, 'UPGRADE_BLOCKED', JSON.stringify(blockedRun));
      const open = await tabB.run('openDatabaseWithin', blockedTimeoutMs + 10_000);
      assert.equal(open.outcome, 'rejected', JSON.stringify(open));
      if (open.outcome === 'rejected') {
        assert.equal(open.error.name, 'UpgradeBlockedError');
        assert.equal(open.error.code, 'UPGRADE_BLOCKED');
        assert.equal(open.error.typed, true);
      }
      assert.ok(open.ms < blockedTimeoutMs + 3_000, `ended in ${open.ms} ms, bound ${blockedTimeoutMs} ms`);
      assert.equal(open.state, 'blocked');
      assert.ok((await tabB.run('seenStatuses')).length > 0);
      note(`blocked open settled in ${open.ms} ms (blockedTimeoutMs ${blockedTimeoutMs})`);

      // Once the other tab lets go, the same app upgrades, keeps its data and syncs.
      await tab.run('releaseRawConnection');
      const after = await tabB.run('sync');
      assert.equal(after.outcome, 'ok', JSON.stringify(after.error));
      assert.deepEqual(await tabB.run('storeCounts'), {
        service_types: 0,
        parts: 5,
        work_orders: 4,
        customers: 2,
      });
      await tabB.run('closeApp');
    } finally {
      await server.close();
    }
  },
});
