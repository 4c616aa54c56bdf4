import assert from 'node:assert/strict';
import { defineScenario } from '../harness/scenario.js';
import type * as page from './blocked-upgrade.page.js';

const db = 'blocked';
const blockedTimeoutMs = 1_500;

export default defineScenario<typeof page>({
  title:
    "blocked upgrade: a connection that never closes ends tab B's open in UpgradeBlockedError, state blocked",
  async run({ tab: tabA, note }) {
    const held = await tabA.run('holdRawConnectionAtV1', db);
    assert.ok(held.version !== undefined && held.version > 0);

    const tabB = await tabA.newTab();
    const blocked = await tabB.run('openV2', db, blockedTimeoutMs);
    assert.equal(blocked.outcome, 'rejected', `expected a rejection: ${JSON.stringify(blocked)}`);
    if (blocked.result.outcome === 'rejected') {
      assert.equal(blocked.result.error.name, 'UpgradeBlockedError');
      assert.equal(blocked.result.error.code, 'UPGRADE_BLOCKED');
    }
    assert.ok(blocked.isUpgradeBlocked, "isIdbSyncError(error, 'UPGRADE_BLOCKED') recognises it");
    assert.equal(blocked.state, 'blocked');
    // Within its timeout: not before it, and not much after it.
    assert.ok(blocked.result.ms >= blockedTimeoutMs - 50, `rejected too early: ${blocked.result.ms} ms`);
    assert.ok(blocked.result.ms < blockedTimeoutMs + 3_000, `rejected too late: ${blocked.result.ms} ms`);
    note(`UpgradeBlockedError after ${blocked.result.ms} ms (blockedTimeoutMs ${blockedTimeoutMs})`);

    await tabA.run('releaseRawConnection');
    const retried = await tabB.run('retry', 8_000);
    assert.equal(
      retried.result.outcome,
      'resolved',
      `the open after release failed: ${JSON.stringify(retried)}`,
    );
    if (retried.result.outcome === 'resolved') {
      assert.equal(retried.result.value.tasks, 1, 'the v1 data survived');
      assert.ok(retried.result.value.version > held.version!, 'the database is now past v1');
    }
    assert.equal(retried.state, 'open');
  },
});
