import assert from 'node:assert/strict';
import { defineScenario } from '../harness/scenario.js';
import { startScenarioServer } from './support/reference-server.js';
import type * as page from './sync-app.page.js';

// Issue #13 item 1 in a real browser: each public write API of the database handle records its
// outbox entry in its own transaction (chaining its requests from request callbacks, as WebKit
// needs), and one sync brings every write to the server; untrackable writes are refused.
export default defineScenario<typeof page>({
  title: 'every public write API of the database handle reaches the server after a sync',
  page: 'sync-app',
  timeoutMs: 60_000,
  async run({ tab, note }) {
    const server = await startScenarioServer();
    try {
      const token = await server.user('writer');
      await tab.run('openApp', { dbName: 'every-write', serverPath: server.path, token });
      assert.equal((await tab.run('sync')).outcome, 'ok');

      const { expected, refused } = await tab.run('writeEveryWay', 'w');
      assert.equal(refused.clear?.code, 'WRITE_REFUSED', JSON.stringify(refused.clear));
      assert.equal(refused.lookup?.code, 'WRITE_REFUSED', JSON.stringify(refused.lookup));
      const pending = await tab.run('pendingWrites');
      assert.equal(pending, expected.work_orders.length + expected.customers.length);

      const run = await tab.run('sync');
      assert.equal(run.outcome, 'ok', JSON.stringify(run.error));
      assert.equal(run.push.applied, pending);
      assert.equal(await tab.run('pendingWrites'), 0);
      for (const [collection, ids] of Object.entries(expected)) {
        const { rows } = await server.db.query<{ id: string }>(
          `SELECT id FROM records WHERE collection = $1 AND owner = 'writer' AND NOT deleted ORDER BY id`,
          [collection],
        );
        assert.deepEqual(
          rows.map((r) => r.id),
          [...ids].sort(),
          `${collection} on the server`,
        );
      }
      note(`${pending} writes pushed in one run`);
      await tab.run('closeApp');
    } finally {
      await server.close();
    }
  },
});
