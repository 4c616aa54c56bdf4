import assert from 'node:assert/strict';
import { defineScenario } from '../harness/scenario.js';
import { startScenarioServer } from './support/reference-server.js';
import type * as page from './sync-app.page.js';

export default defineScenario<typeof page>({
  title: 'offline edit survives a reload while offline and is pushed exactly once when back online',
  page: 'sync-app',
  persistent: true,
  timeoutMs: 60_000,
  async run({ tab, note }) {
    const server = await startScenarioServer();
    try {
      const token = await server.user('ana');
      await server.seedUserData('ana', 10, 3);
      const config = { dbName: 'offline-edit', serverPath: server.path, token };
      await tab.run('openApp', config);
      assert.equal((await tab.run('sync')).outcome, 'ok');

      // Offline: the server is down. One edit of a synced work order, one new work order.
      await server.stop();
      await tab.run('write', 'work_orders', { id: 'wo-00003', title: 'edited offline', status: 'done' });
      await tab.run('write', 'work_orders', { id: 'wo-new', title: 'created offline', status: 'open' });
      const offline = await tab.run('sync');
      assert.equal(offline.outcome, 'waiting', 'offline: the run waits, it does not fail or drop');
      assert.equal(await tab.run('pendingWrites'), 2);

      // Reload while still offline: data and outbox are still there, and a run still waits.
      await tab.reload();
      await tab.run('openApp', config);
      assert.equal(await tab.run('pendingWrites'), 2, 'the outbox survived the reload');
      assert.equal((await tab.run('read', 'work_orders', 'wo-00003'))?.title, 'edited offline');
      assert.equal((await tab.run('read', 'work_orders', 'wo-new'))?.title, 'created offline');
      assert.equal((await tab.run('sync')).outcome, 'waiting');
      assert.equal(await tab.run('pendingWrites'), 2);

      // Online again: one run pushes both edits, once.
      await server.restart();
      const online = await tab.run('sync');
      assert.equal(online.outcome, 'ok', JSON.stringify(online.error));
      assert.deepEqual(online.push, { sent: 2, applied: 2, conflicts: 0, rejected: 0 });
      assert.equal(await tab.run('pendingWrites'), 0);
      const again = await tab.run('sync');
      assert.equal(again.push.sent, 0, 'nothing left to push');

      // The server has each edit exactly once: one record each, and the change log moved by two.
      const { rows } = await server.db.query<{ id: string; title: string }>(
        `SELECT id, value->>'title' AS title FROM records
          WHERE collection = 'work_orders' AND owner = 'ana' AND id IN ('wo-00003', 'wo-new') ORDER BY id`,
      );
      assert.deepEqual(rows, [
        { id: 'wo-00003', title: 'edited offline' },
        { id: 'wo-new', title: 'created offline' },
      ]);
      const seq = await server.db.query<{ seq: string }>(
        `SELECT seq::text FROM collection_seq WHERE collection = 'work_orders' AND owner = 'ana'`,
      );
      assert.equal(seq.rows[0]?.seq, '12', '10 seeded changes + exactly 2 pushed');
      const results = await server.db.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM mutation_results`,
      );
      assert.equal(results.rows[0]?.n, '2', 'two mutations recorded, no duplicate');
      const pushes = server.requests.filter((r) => r.path === '/v1/push' && r.status === 200).length;
      note(`pushes answered: ${pushes}`);
      await tab.run('closeApp');
    } finally {
      await server.close();
    }
  },
});
