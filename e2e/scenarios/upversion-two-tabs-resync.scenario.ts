import assert from 'node:assert/strict';
import { defineScenario } from '../harness/scenario.js';
import { startScenarioServer } from './support/reference-server.js';
import type * as page from './sync-app.page.js';

export default defineScenario<typeof page>({
  title:
    'two tabs, upversion: tab A gets versionchange and does not hang; tab B upgrades, keeps data, resyncs only the changed lookup store',
  page: 'sync-app',
  persistent: true,
  timeoutMs: 60_000,
  async run({ tab, note }) {
    const server = await startScenarioServer();
    try {
      await server.seedServiceTypes(600);
      await server.seedParts(30);
      const token = await server.user('ana');
      await server.seedUserData('ana', 8, 3);
      const config = { dbName: 'upversion', serverPath: server.path, token, windowSize: 200 };

      // Tab A, v1 code: synced, with an edit not pushed yet; its handle stays open.
      await tab.run('openApp', { ...config, version: 1 });
      assert.equal((await tab.run('sync')).outcome, 'ok');
      await tab.run('write', 'work_orders', { id: 'wo-00002', title: 'edited in tab A on v1' });
      assert.equal(await tab.run('pendingWrites'), 1);

      // The server changes a record of each lookup store meanwhile.
      await server.running.admin.putRecord('service_types', 'st-000010', {
        id: 'st-000010',
        name: 'changed',
      });
      await server.running.admin.putRecord('parts', 'pa-0001', { name: 'changed part', category: 'c9' });

      // Tab B, v2 code (parts and work_orders get an index): its upgrade must not wait for tab A.
      const tabB = await tab.newTab();
      await tabB.run('openApp', { ...config, version: 2 });
      const opened = await tabB.run('openDatabaseWithin', 10_000);
      assert.equal(opened.outcome, 'resolved', JSON.stringify(opened));
      const report = (await tabB.run('upgradeReports')).at(-1);
      assert.equal(report?.toVersion, 2);
      assert.deepEqual([...(report?.changedStores ?? [])].sort(), ['parts', 'work_orders']);
      note(`upgrade in tab B settled in ${opened.ms} ms`);

      // Tab A: the versionchange notice arrived, and its next operations settle instead of hanging.
      const a = await tab.run('afterVersionchange', 5_000);
      assert.equal(a.event, 'resolved', JSON.stringify(a.events));
      assert.notEqual(a.next.outcome, 'timeout', 'tab A does not hang on its next operation');
      assert.notEqual(a.run.outcome, 'timeout', 'nor on its next sync');
      note(
        `tab A next operation: ${a.next.outcome}${a.next.outcome === 'rejected' ? ` (${a.next.error.name})` : ''}`,
      );

      // Tab B: nothing lost in the upgrade (the unpushed edit is still queued and still there).
      assert.equal(await tabB.run('pendingWrites'), 1);
      assert.equal((await tabB.run('read', 'work_orders', 'wo-00002'))?.title, 'edited in tab A on v1');
      assert.deepEqual(await tabB.run('storeCounts'), {
        service_types: 600,
        parts: 30,
        work_orders: 8,
        customers: 3,
      });

      // Its sync: the changed lookup store is fully resynced, the unchanged one only incrementally.
      const run = await tabB.run('sync');
      assert.equal(run.outcome, 'ok', JSON.stringify(run.error));
      assert.deepEqual(run.plans.parts, { mode: 'full', reasons: ['schema-changed'] });
      assert.equal(run.fetched.parts, 30);
      assert.equal(run.plans.service_types?.mode, 'incremental');
      assert.equal(run.fetched.service_types, 1, 'only the one changed record, not 600');
      assert.equal(run.plans.work_orders?.mode, 'red', 'a changed transactional store is red-synced');
      assert.equal(run.push.applied, 1, 'after pushing the edit made before the upgrade');
      assert.equal((await tabB.run('read', 'parts', 'pa-0001'))?.name, 'changed part');
      assert.equal((await tabB.run('read', 'service_types', 'st-000010'))?.name, 'changed');
      assert.equal((await tabB.run('read', 'work_orders', 'wo-00002'))?.title, 'edited in tab A on v1');
      assert.equal(await tabB.run('pendingWrites'), 0);
      await tabB.run('closeApp');
    } finally {
      await server.close();
    }
  },
});
