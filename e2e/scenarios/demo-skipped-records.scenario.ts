import assert from 'node:assert/strict';
import { defineScenario } from '../harness/scenario.js';
import type * as page from './demo-app.page.js';
import { demoConfig } from './support/demo-config.js';
import { startScenarioServer } from './support/reference-server.js';

const serviceTypes = 30;
const workOrders = 2;

export default defineScenario<typeof page>({
  title:
    'demo, the server holds one service type code twice: the sync panel lists the record the device cannot store, and it leaves the list once the server fixes it and the user retries',
  demo: true,
  page: 'demo-app',
  timeoutMs: 60_000,
  async run({ tab, note }) {
    const server = await startScenarioServer();
    try {
      await server.seedServiceTypes(serviceTypes);
      const token = await server.user('ana');
      await server.seedUserData('ana', workOrders, 1);
      await tab.open({ config: demoConfig(server, 'ana', token) });
      await tab.run('untilSynced', serviceTypes, workOrders);
      assert.equal((await tab.run('skippedPanel')).count, '0');

      // The demo's store declares a unique index on `code`; the server knows nothing of it.
      const admin = server.running.admin;
      const holder = await admin.getRecord('service_types', 'st-000001');
      const taker = await admin.getRecord('service_types', 'st-000002');
      assert.ok(holder?.value && taker?.value);
      await admin.putRecord('service_types', 'st-000002', { ...taker.value, code: holder.value['code'] });
      assert.equal((await tab.run('syncNow')).outcome, 'ok', 'the clash does not fail the run');
      await tab.run('untilSkipped', 1);
      const panel = await tab.run('skippedPanel');
      assert.deepEqual(
        panel.rows.map((r) => [r.collection, r.id, r.reason]),
        [['service_types', 'st-000001', 'unique-clash']],
        JSON.stringify(panel),
      );
      assert.match(panel.rows[0]!.cells[2]!, /held by st-000002/);
      assert.equal(panel.retryEnabled, true);
      assert.equal((await tab.run('storedServiceType', 'st-000002'))?.['code'], holder.value['code']);

      // The server fixes its data; "Retry skipped" pulls it and stores the evicted record again.
      await admin.putRecord('service_types', 'st-000002', { ...taker.value, code: 'ST-FIXED' });
      await tab.run('clickRetrySkipped');
      const cleared = await tab.run('untilSkipped', 0);
      assert.equal((await tab.run('storedServiceType', 'st-000001'))?.['code'], holder.value['code']);
      assert.equal((await tab.run('storedServiceType', 'st-000002'))?.['code'], 'ST-FIXED');
      assert.equal((await tab.run('skippedPanel')).retryEnabled, false);
      note(`skipped list emptied ${cleared.ms} ms after the retry click`);
    } finally {
      await server.close();
    }
  },
});
