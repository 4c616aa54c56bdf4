import assert from 'node:assert/strict';
import { defineScenario } from '../harness/scenario.js';
import { startScenarioServer } from './support/reference-server.js';
import type * as page from './sync-app.page.js';

/** About 1 KB each (the seed's service types): some 4 MB of JSON, pages of 250. */
const records = 4_000;
const windowSize = 250;
/**
 * The origin's quota while the disk is "full": room for a few pages of the lookup store, far from
 * all of it (Chromium counts the on-disk size of the origin's databases, compressed).
 */
const tinyQuota = 1_500_000;

export default defineScenario<typeof page>({
  title:
    'a real QuotaExceededError in the middle of a full sync: StorageQuotaError, no partial page, checkpoint = data; resumes once the quota grows',
  page: 'sync-app',
  // Chromium enforces its quota on the on-disk profile; its incognito (in-memory) storage counts differently.
  persistent: true,
  timeoutMs: 90_000,
  skip: {
    webkit:
      'WebKitGTK sets origin quotas only through the construct-only origin-storage-ratio of its ' +
      'WebsiteDataManager; MiniBrowser (--automation) builds an ephemeral one without it, its --config ' +
      'applies WebKitSettings only, and WebDriver has no quota command: no tiny quota can be set here',
  },
  async run({ tab, note }) {
    const server = await startScenarioServer();
    try {
      await server.seedServiceTypes(records);
      const token = await server.user('ana');
      await tab.run('openApp', { dbName: 'quota-mid-sync', serverPath: server.path, token, windowSize });
      await tab.setStorageQuota(tinyQuota);
      await tab.run('trackErrors');

      const full = await tab.run('sync');
      assert.equal(full.outcome, 'error', `the sync should hit the quota: ${JSON.stringify(full)}`);
      assert.equal(full.error?.code, 'STORAGE_QUOTA_EXCEEDED', JSON.stringify(full.error));
      const errors = await tab.run('seenErrors');
      assert.ok(
        errors.some((e) => e.name === 'StorageQuotaError' && e.code === 'STORAGE_QUOTA_EXCEEDED' && e.typed),
        `errors$ carries the typed error: ${JSON.stringify(errors)}`,
      );

      // Whole pages only, and exactly the ones the saved checkpoint says were written.
      const stopped = await tab.run('storedState', 'service_types');
      const { checkpoint } = stopped;
      assert.ok(stopped.count > 0 && stopped.count < records, `stopped mid-way: ${stopped.count} stored`);
      assert.equal(stopped.count % windowSize, 0, `no partial page: ${stopped.count} records`);
      assert.equal(checkpoint?.phase, 'snapshot');
      assert.equal(checkpoint?.done, stopped.count, 'the checkpoint counts what is stored');
      assert.equal(checkpoint?.cursor, stopped.last, 'the checkpoint ends where the data ends');
      assert.equal(stopped.first, 'st-000001');
      note(
        `quota of ${tinyQuota} bytes: the run stopped after ${stopped.count} of ${records} records ` +
          `(whole pages) in ${full.ms} ms`,
      );

      // Space again: the next run resumes from the saved page and completes.
      await tab.setStorageQuota(undefined);
      const resumed = await tab.run('sync');
      assert.equal(resumed.outcome, 'ok', JSON.stringify(resumed.error));
      assert.equal(resumed.plans.service_types?.mode, 'full');
      assert.equal(
        resumed.fetched.service_types,
        records - stopped.count,
        'only the missing pages are fetched',
      );
      const complete = await tab.run('storedState', 'service_types');
      assert.equal(complete.count, records);
      assert.equal(complete.checkpoint?.phase, 'changes');
      assert.equal(complete.last, `st-${String(records).padStart(6, '0')}`);
      const picker = await tab.run('search', 'Emergency', 0, 20);
      assert.equal(picker.total, records / 16, 'every record findable in the picker');
      note(`quota lifted: the resumed run fetched ${resumed.fetched.service_types} in ${resumed.ms} ms`);
      await tab.run('closeApp');
    } finally {
      await server.close();
    }
  },
});
