import assert from 'node:assert/strict';
import { defineScenario } from '../harness/scenario.js';
import { startScenarioServer } from './support/reference-server.js';
import type * as page from './sync-app.page.js';

// docs/bad-records.md in a real browser: `parts` declares a unique index on `code`; the server moves
// codes between records (a swap and a chain in one pull, a swap across pages, a value it holds twice).
// Every pull succeeds, the other collections keep syncing, and only the kept duplicate waits in the
// skipped-records log until the server fixes it.

const code = (n: number) => `C${n}`;
const id = (n: number) => `pa-${n}`;

export default defineScenario<typeof page>({
  title: 'unique-index clashes in pulled pages are resolved; a kept duplicate waits in the skipped log',
  page: 'sync-app',
  timeoutMs: 60_000,
  async run({ tab }) {
    const server = await startScenarioServer();
    const put = (n: number, c: number) => server.running.admin.putRecord('parts', id(n), { code: code(c) });
    try {
      for (let n = 1; n <= 8; n += 1) await put(n, n);
      const token = await server.user('ana');
      await server.seedUserData('ana', 3, 1);
      await tab.run('openApp', {
        dbName: 'unique-clashes',
        serverPath: server.path,
        token,
        uniquePartCodes: true,
      });
      assert.equal((await tab.run('sync')).outcome, 'ok');

      // A swap (1↔2) and a chain (3→4→5→3), all in one page.
      await put(1, 2);
      await put(2, 1);
      await put(3, 4);
      await put(4, 5);
      await put(5, 3);
      await server.running.admin.putRecord('work_orders', 'wo-new', { title: 'arrives' }, 'ana');
      const inOnePage = await tab.run('sync');
      assert.equal(inOnePage.outcome, 'ok', JSON.stringify(inOnePage.error));
      assert.equal(inOnePage.skipped.parts, 0);
      assert.deepEqual(await tab.run('skippedRecords'), []);
      assert.ok(await tab.run('read', 'work_orders', 'wo-new'), 'the other collections sync');

      // A swap across pages (6↔7, one change per page) and a value the server holds twice (8 takes C1).
      await tab.run('closeApp');
      await tab.run('openApp', {
        dbName: 'unique-clashes',
        serverPath: server.path,
        token,
        uniquePartCodes: true,
        windowSize: 1,
      });
      await put(6, 7);
      await put(7, 6);
      await put(8, 1);
      const acrossPages = await tab.run('sync');
      assert.equal(acrossPages.outcome, 'ok', JSON.stringify(acrossPages.error));
      assert.deepEqual(await tab.run('skippedRecords'), [['parts', id(2), 'unique-clash', id(8)]]);
      assert.deepEqual(await tab.run('partCodes'), {
        [id(1)]: code(2),
        [id(3)]: code(4),
        [id(4)]: code(5),
        [id(5)]: code(3),
        [id(6)]: code(7),
        [id(7)]: code(6),
        [id(8)]: code(1),
      });

      // The server fixes its duplicate: the skipped record arrives, the log empties.
      await put(2, 9);
      assert.equal((await tab.run('sync')).outcome, 'ok');
      assert.deepEqual(await tab.run('skippedRecords'), []);
      assert.equal(Object.keys(await tab.run('partCodes')).length, 8);
      await tab.run('closeApp');
    } finally {
      await server.close();
    }
  },
});
