import assert from 'node:assert/strict';
import { defineScenario } from '../harness/scenario.js';
import type * as page from './demo-app.page.js';
import { demoConfig } from './support/demo-config.js';
import { startScenarioServer } from './support/reference-server.js';

const serviceTypes = 50;
const workOrders = 4;
/** Time a shared machine may add to the blocked timeout: the v2 page loads and starts first. */
const slackMs = 5_000;

export default defineScenario<typeof page>({
  title:
    'demo, "load schema v2" while another tab never closes its connection: the page shows UPGRADE_BLOCKED within the timeout, then upgrades once it closes',
  demo: true,
  page: 'demo-app',
  timeoutMs: 90_000,
  async run({ tab, note, screenshot }) {
    const server = await startScenarioServer();
    try {
      await server.seedServiceTypes(serviceTypes);
      const token = await server.user('ana');
      await server.seedUserData('ana', workOrders, 2);
      await tab.open({ config: demoConfig(server, 'ana', token) });
      await tab.run('untilSynced', serviceTypes, workOrders);

      // Another tab of the origin (the bare test page, no sync client of its own) opens the demo's
      // database and ignores versionchange: it never lets go.
      const holder = await tab.newTab(new URL('/index.html?scenario=demo-app', tab.pageUrl).href);
      assert.ok((await holder.run('holdRawConnection')).version >= 1);

      // The person presses "Load schema v2": the page reloads on v2 code and its upgrade is blocked.
      await tab.run('clickSoon', 'load-schema-v2');
      const clicked = performance.now();
      await tab.awaitNavigation('schema=2');
      await tab.run('untilUpgradeBlocked', 30_000);
      const blockedAfterMs = Math.round(performance.now() - clicked);
      const shown = await tab.run('statusPanel');
      assert.equal(shown.schemaVersion, '2');
      assert.ok(shown.upgradeBlocked.visible, JSON.stringify(shown));
      assert.equal(shown.upgradeBlocked.role, 'alert');
      assert.equal(shown.upgradeBlocked.code, 'UPGRADE_BLOCKED');
      assert.equal(shown.syncStatus, 'blocked');
      assert.equal(shown.dbState, 'blocked');
      assert.match(shown.lastError, /UPGRADE_BLOCKED|UpgradeBlockedError/);
      const state = await tab.run('state');
      assert.equal(state.lastRun?.error?.code, 'UPGRADE_BLOCKED', JSON.stringify(state.lastRun));
      // The typed error names the timeout it waited: the page showed it within that (plus the load).
      const timeoutMs = Number(/for (\d+) ms/.exec(shown.upgradeBlocked.message)?.[1]);
      assert.ok(timeoutMs > 0, shown.upgradeBlocked.message);
      assert.ok(
        blockedAfterMs < timeoutMs + slackMs,
        `shown ${blockedAfterMs} ms after the click; blockedTimeoutMs ${timeoutMs} + ${slackMs} ms slack`,
      );
      await screenshot(tab, 'blocked');
      note(`UPGRADE_BLOCKED shown ${blockedAfterMs} ms after the click (blockedTimeoutMs ${timeoutMs})`);

      // The other tab lets go: the upgrade goes through by itself, the banner goes, data is kept.
      await holder.run('releaseRawConnection');
      const upgraded = await tab.run('untilUpgraded', 2, 30_000);
      const after = await tab.run('state');
      assert.equal(after.schemaVersion, 2);
      assert.equal(after.workOrders.length, workOrders);
      assert.equal(after.serviceTypeCount, serviceTypes);
      assert.equal(after.upgradeBlocked, null);
      assert.ok(
        after.recentRuns.some((run) => run.outcome === 'ok' && run.modes.service_types === 'full'),
        `the upgrade touched service_types: a full sync of it follows (${JSON.stringify(after.recentRuns)})`,
      );
      note(`upgraded and synced ${upgraded.ms} ms after the other tab closed its connection`);
    } finally {
      await server.close();
    }
  },
});
