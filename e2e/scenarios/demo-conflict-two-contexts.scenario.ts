import assert from 'node:assert/strict';
import type { Tab } from '../harness/scenario.js';
import { defineScenario } from '../harness/scenario.js';
import type * as page from './demo-app.page.js';
import { demoConfig } from './support/demo-config.js';
import { type ScenarioServer, startScenarioServer } from './support/reference-server.js';

const serviceTypes = 300;
const workOrders = 8;
const target = 'wo-00003';

/** Work orders as the server holds them for `ana`, each with its rev as `_rev` (the SDK's field). */
async function serverWorkOrders(server: ScenarioServer) {
  const { rows } = await server.db.query<{ rev: string; value: Record<string, unknown> }>(
    `SELECT rev::text AS rev, value FROM records
      WHERE collection = 'work_orders' AND owner = 'ana' AND NOT deleted ORDER BY id`,
  );
  return rows.map(({ rev, value }): Record<string, unknown> => ({ ...value, _rev: rev }));
}

async function assertEqualToServer(server: ScenarioServer, device: Tab<typeof page>, name: string) {
  const stored = await device.run('storedWorkOrders');
  assert.deepEqual(stored, await serverWorkOrders(server), `${name} holds what the server holds`);
}

export default defineScenario<typeof page>({
  title:
    'demo, two browser contexts edit the same work order: merged (server wins the tie), shown in the conflict panel of the one that lost',
  demo: true,
  page: 'demo-app',
  timeoutMs: 90_000,
  async run({ tab: deviceA, newDevice, note }) {
    const server = await startScenarioServer();
    try {
      await server.seedServiceTypes(serviceTypes);
      const token = await server.user('ana');
      await server.seedUserData('ana', workOrders, 3);

      // Two devices of the same user: separate browser contexts, so separate databases and outboxes.
      await deviceA.open({ config: demoConfig(server, 'ana', token) });
      const firstSync = await deviceA.run('untilSynced', serviceTypes, workOrders);
      const deviceB = await newDevice();
      await deviceB.run('untilSynced', serviceTypes, workOrders);
      note(`device A: first sync shown after ${firstSync.ms} ms`);

      // A is offline while it edits; B edits the same field (and another one) and pushes first.
      await deviceA.run('goOffline');
      await deviceA.run('editWorkOrder', target, { title: 'title from A (offline)' });
      const seenByB = (await deviceB.run('storedWorkOrders')).find((wo) => wo.id === target);
      assert.notEqual(seenByB?.title, 'title from A (offline)', 'the contexts share no storage');
      await deviceB.run('editWorkOrder', target, { title: 'title from B', notes: 'notes from B' });
      // A write starts a background run; "sync now" queues behind it. Either one pushes the edit.
      assert.equal((await deviceB.run('syncNow')).outcome, 'ok');
      await deviceB.run('untilIdle');
      const pushed = (await serverWorkOrders(server)).find((wo) => wo.id === target);
      assert.equal(pushed?.title, 'title from B', 'device B pushed first');

      // A comes back: its push conflicts and the configured strategy (merge, ties to the server) decides.
      assert.equal((await deviceA.run('goOnline')).outcome, 'ok');
      await deviceA.run('untilIdle');

      const log = await deviceA.run('conflictLog');
      assert.equal(log.length, 1, JSON.stringify(log));
      const entry = log[0]!;
      assert.equal(entry.store, 'work_orders');
      assert.equal(entry.id, target);
      assert.equal(entry.winner, 'merged');
      // The demo stamps `updatedAt` on every edit: both sides changed it too (the server's stays).
      assert.deepEqual([...(entry.conflictingFields ?? [])].sort(), ['title', 'updatedAt']);
      assert.equal(entry.local?.title, 'title from A (offline)');
      assert.equal(entry.remote?.title, 'title from B');
      assert.equal(entry.result?.title, 'title from B', 'a field changed on both sides: the server wins');
      assert.equal(entry.result?.notes, 'notes from B', 'a field changed on one side only is kept');
      assert.deepEqual(await deviceB.run('conflictLog'), [], 'device B pushed first: no conflict');

      // The losing device's conflict panel shows the entry with local / remote / result.
      await deviceA.run('untilConflicts', 1);
      const panel = await deviceA.run('conflictPanel');
      assert.equal(panel.rows.length, 1, JSON.stringify(panel));
      const row = panel.rows[0]!;
      assert.equal(row.id, target);
      assert.equal(row.winner, 'merged');
      assert.equal(row.record, `work_orders/${target}`);
      assert.match(row.rule, /→ merged$/);
      assert.match(row.local, /title: "title from A \(offline\)"/);
      assert.match(row.remote, /title: "title from B"/);
      assert.match(row.remote, /notes: "notes from B"/);
      assert.match(row.result, /title: "title from B"/);
      assert.match(row.result, /notes: "notes from B"/);
      await deviceB.run('untilIdle');
      assert.equal((await deviceB.run('conflictPanel')).count, '0');

      // Both devices end with exactly what the server holds, revisions included.
      for (const device of [deviceA, deviceB]) {
        assert.equal((await device.run('syncNow')).outcome, 'ok');
        await device.run('untilIdle');
      }
      await assertEqualToServer(server, deviceA, 'device A');
      await assertEqualToServer(server, deviceB, 'device B');
      const merged = (await serverWorkOrders(server)).find((wo) => wo.id === target);
      assert.equal(merged?.title, 'title from B');
      assert.equal(merged?.notes, 'notes from B');
      await deviceA.run('scrollTo', 'conflict-rows');
      note(`rule ${entry.rule} → ${entry.winner}, conflicting fields ${entry.conflictingFields?.join(',')}`);
    } finally {
      await server.close();
    }
  },
});
