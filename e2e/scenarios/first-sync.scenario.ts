import assert from 'node:assert/strict';
import { defineScenario } from '../harness/scenario.js';
import { startScenarioServer } from './support/reference-server.js';
import type * as page from './sync-app.page.js';

const serviceTypes = 1_200;

export default defineScenario<typeof page>({
  title: 'first sync fills lookup and transactional stores; the picker searches and pages',
  page: 'sync-app',
  timeoutMs: 60_000,
  async run({ tab, note }) {
    const server = await startScenarioServer();
    try {
      await server.seedServiceTypes(serviceTypes);
      await server.seedParts(30);
      const token = await server.user('ana');
      await server.seedUserData('ana', 40, 12);
      await server.seedUserData('bob', 7, 3); // another user's data must not arrive

      await tab.run('openApp', { dbName: 'first-sync', serverPath: server.path, token, windowSize: 500 });
      const run = await tab.run('sync');
      assert.equal(run.outcome, 'ok', JSON.stringify(run.error));
      // First time: lookup stores are fetched in full, transactional ones red-synced (clear + refetch).
      for (const store of ['service_types', 'parts']) assert.equal(run.plans[store]?.mode, 'full', store);
      for (const store of ['work_orders', 'customers']) assert.equal(run.plans[store]?.mode, 'red', store);
      assert.equal(run.pages.service_types, 3, '1,200 lookup records in pages of 500');
      assert.deepEqual(await tab.run('storeCounts'), {
        service_types: serviceTypes,
        parts: 30,
        work_orders: 40,
        customers: 12,
      });
      note(`first sync of ${serviceTypes + 30 + 52} records: ${run.ms} ms`);

      // The picker: a prefix search on the name index, paged, against the server's own data.
      const { rows } = await server.db.query<{ id: string }>(
        `SELECT id FROM records WHERE collection = 'service_types' AND NOT deleted
           AND value->>'name' LIKE 'Emergency%' ORDER BY value->>'name' COLLATE "C", id COLLATE "C"`,
      );
      const expected = rows.map((r) => r.id);
      assert.ok(expected.length > 40, 'enough matches for several pages');
      const pageSize = 20;
      const first = await tab.run('search', 'Emergency', 0, pageSize);
      assert.equal(first.total, expected.length);
      assert.deepEqual(first.ids, expected.slice(0, pageSize));
      assert.ok(first.names.every((name) => name.startsWith('Emergency')));
      const lastPage = Math.floor((expected.length - 1) / pageSize);
      const last = await tab.run('search', 'Emergency', lastPage, pageSize);
      assert.deepEqual(last.ids, expected.slice(lastPage * pageSize));
      const second = await tab.run('search', 'Emergency', 1, pageSize);
      assert.deepEqual(second.ids, expected.slice(pageSize, 2 * pageSize));
      assert.deepEqual((await tab.run('search', 'Nothing like this', 0, pageSize)).total, 0);

      // A second sync right after is incremental and fetches nothing.
      const again = await tab.run('sync');
      assert.equal(again.outcome, 'ok');
      assert.equal(again.plans.service_types?.mode, 'incremental');
      assert.equal(again.fetched.service_types, 0);
      await tab.run('closeApp');
    } finally {
      await server.close();
    }
  },
});
