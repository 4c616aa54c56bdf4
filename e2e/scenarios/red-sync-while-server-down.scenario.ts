import assert from 'node:assert/strict';
import { defineScenario } from '../harness/scenario.js';
import { startScenarioServer } from './support/reference-server.js';
import type * as page from './sync-app.page.js';

export default defineScenario<typeof page>({
  title:
    'red sync with an unpushed edit while the server is down drops nothing; once back it pushes, then refetches',
  page: 'sync-app',
  timeoutMs: 60_000,
  async run({ tab }) {
    const server = await startScenarioServer();
    try {
      const token = await server.user('ana');
      await server.seedUserData('ana', 10, 4);
      await tab.run('openApp', { dbName: 'red-sync-down', serverPath: server.path, token });
      assert.equal((await tab.run('sync')).outcome, 'ok');

      // Server-side changes the client has not pulled: only a refetch brings them.
      await server.running.admin.putRecord(
        'work_orders',
        'wo-00005',
        { id: 'wo-00005', title: 'changed on the server' },
        'ana',
      );
      await server.running.admin.deleteRecord('work_orders', 'wo-00007', 'ana');
      await server.stop();

      await tab.run('write', 'work_orders', { id: 'wo-00002', title: 'edited, not pushed yet' });
      const down = await tab.run('sync', { red: true });
      assert.equal(down.outcome, 'waiting', JSON.stringify(down));
      assert.equal(await tab.run('pendingWrites'), 1, 'the unpushed edit is still queued');
      assert.equal((await tab.run('read', 'work_orders', 'wo-00002'))?.title, 'edited, not pushed yet');
      assert.deepEqual(
        await tab.run('storeCounts'),
        { service_types: 0, parts: 0, work_orders: 10, customers: 4 },
        'nothing was cleared while the server was down',
      );

      // Back: the red sync asked for while down runs now: push first, then clear and refetch.
      await server.restart();
      const pushesBefore = server.requests.length;
      const back = await tab.run('sync');
      assert.equal(back.outcome, 'ok', JSON.stringify(back.error));
      assert.equal(back.plans.work_orders?.mode, 'red', 'the waiting red sync was kept');
      assert.equal(back.plans.customers?.mode, 'red');
      assert.equal(back.push.applied, 1);
      const order = server.requests.slice(pushesBefore).map((r) => r.path);
      const push = order.indexOf('/v1/push');
      assert.ok(push >= 0 && order.indexOf('/v1/pull') > push, `pushed before pulling: ${order.join(' ')}`);
      assert.equal(await tab.run('pendingWrites'), 0);

      assert.equal((await tab.run('read', 'work_orders', 'wo-00002'))?.title, 'edited, not pushed yet');
      assert.equal((await tab.run('read', 'work_orders', 'wo-00005'))?.title, 'changed on the server');
      assert.equal(
        await tab.run('read', 'work_orders', 'wo-00007'),
        null,
        'refetched: the deleted record is gone',
      );
      assert.equal((await tab.run('storeCounts')).work_orders, 9);
      const server2 = await server.db.query<{ title: string }>(
        `SELECT value->>'title' AS title FROM records WHERE collection = 'work_orders' AND owner = 'ana' AND id = 'wo-00002'`,
      );
      assert.equal(server2.rows[0]?.title, 'edited, not pushed yet');
      await tab.run('closeApp');
    } finally {
      await server.close();
    }
  },
});
