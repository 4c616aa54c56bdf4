import assert from 'node:assert/strict';
import { defineScenario } from '../harness/scenario.js';
import { startScenarioServer } from './support/reference-server.js';
import type * as page from './sync-app.page.js';

export default defineScenario<typeof page>({
  title:
    'two devices edit the same work order: merged by the configured strategy, logged in the conflict log',
  page: 'sync-app',
  timeoutMs: 60_000,
  async run({ tab, note }) {
    const server = await startScenarioServer();
    try {
      const token = await server.user('ana');
      await server.seedUserData('ana', 6, 2);
      // Two installations of the same user (separate databases, so separate client ids and outboxes),
      // one per tab, both merging work order conflicts field by field (ties: the server wins).
      const common = { serverPath: server.path, token, workOrderConflicts: 'merge' } as const;
      await tab.run('openApp', { ...common, dbName: 'device-a' });
      const tabB = await tab.newTab();
      await tabB.run('openApp', { ...common, dbName: 'device-b' });
      assert.equal((await tab.run('sync')).outcome, 'ok');
      assert.equal((await tabB.run('sync')).outcome, 'ok');

      const original = await tab.run('read', 'work_orders', 'wo-00004');
      assert.ok(original);
      // Device A changes the title; device B changes the title too, and the notes.
      await tab.run('write', 'work_orders', { ...original, title: 'title from A' });
      await tabB.run('write', 'work_orders', { ...original, title: 'title from B', notes: 'notes from B' });
      const a = await tab.run('sync');
      assert.deepEqual(a.push, { sent: 1, applied: 1, conflicts: 0, rejected: 0 });
      const b = await tabB.run('sync');
      assert.equal(b.push.conflicts, 1, JSON.stringify(b.push));

      const log = await tabB.run('conflictLog');
      assert.equal(log.length, 1);
      const entry = log[0]!;
      assert.equal(entry.store, 'work_orders');
      assert.equal(entry.id, 'wo-00004');
      assert.equal(entry.winner, 'merged');
      assert.deepEqual(entry.conflictingFields, ['title']);
      assert.equal(
        entry.result?.title,
        'title from A',
        'a field changed on both sides: the server wins the tie',
      );
      assert.equal(entry.result?.notes, 'notes from B', 'a field changed on one side only is kept');
      assert.deepEqual(await tab.run('conflictLog'), [], 'device A had no conflict');
      note(`rule ${entry.rule}, conflicting fields ${entry.conflictingFields?.join(',')}`);

      // The merge was pushed: the server and, after their next sync, both devices hold it.
      const { rows } = await server.db.query<{ title: string; notes: string }>(
        `SELECT value->>'title' AS title, value->>'notes' AS notes FROM records
          WHERE collection = 'work_orders' AND owner = 'ana' AND id = 'wo-00004'`,
      );
      assert.deepEqual(rows, [{ title: 'title from A', notes: 'notes from B' }]);
      assert.equal((await tab.run('sync')).outcome, 'ok');
      for (const t of [tab, tabB]) {
        const record = await t.run('read', 'work_orders', 'wo-00004');
        assert.equal(record?.title, 'title from A');
        assert.equal(record?.notes, 'notes from B');
        assert.equal(await t.run('pendingWrites'), 0);
      }
      await tabB.run('closeApp');
      await tab.run('closeApp');
    } finally {
      await server.close();
    }
  },
});
