import assert from 'node:assert/strict';
import { defineScenario } from '../harness/scenario.js';
import type * as page from './react-field-app.page.js';
import { startScenarioServer } from './support/reference-server.js';

export default defineScenario<typeof page>({
  title: 'React example: a title edited offline is shown at once, survives a reload, and is pushed once',
  page: 'react-field-app',
  persistent: true,
  timeoutMs: 90_000,
  async run({ tab, note }) {
    const server = await startScenarioServer();
    try {
      const token = await server.user('ana');
      await server.seedUserData('ana', 6, 1);
      await server.seedServiceTypes(30);
      const config = { dbName: 'react-offline-edit', serverPath: server.path, token };
      await tab.run('openApp', config);
      await tab.run('untilOrderCount', 6);
      await tab.run('untilPending', 0);

      // Offline (the server is down): the edit is saved, shown by the list, and waits in the outbox.
      await server.stop();
      await tab.run('editTitle', 'wo-00003', 'edited offline');
      await tab.run('untilPending', 1);

      // A reload while still offline: the list shows the edit again, and it is still pending.
      await tab.reload();
      await tab.run('openApp', config);
      await tab.run('untilOrderTitle', 'wo-00003', 'edited offline');
      await tab.run('untilPending', 1);

      // Back online: the edit is pushed (once), and the panel says nothing is left.
      await server.restart();
      const started = Date.now();
      await tab.run('syncNow');
      await tab.run('untilPending', 0);
      note(`pushed ${Date.now() - started} ms after the server came back`);
      const again = await tab.run('syncNow');
      assert.equal(again.push.sent, 0, 'nothing left to push');

      const { rows } = await server.db.query<{ title: string }>(
        `SELECT value->>'title' AS title FROM records
          WHERE collection = 'work_orders' AND owner = 'ana' AND id = 'wo-00003'`,
      );
      assert.deepEqual(rows, [{ title: 'edited offline' }]);
      const seq = await server.db.query<{ seq: string }>(
        `SELECT seq::text FROM collection_seq WHERE collection = 'work_orders' AND owner = 'ana'`,
      );
      assert.equal(seq.rows[0]?.seq, '7', '6 seeded changes + exactly 1 pushed');
      const results = await server.db.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM mutation_results`,
      );
      assert.equal(results.rows[0]?.n, '1', 'one mutation recorded, no duplicate');
      await tab.run('closeApp');
    } finally {
      await server.close();
    }
  },
});
