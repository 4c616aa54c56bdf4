import assert from 'node:assert/strict';
import { defineScenario } from '../harness/scenario.js';
import type * as page from './versionchange-two-tabs.page.js';

const db = 'two-tabs';
/** Bound on every in-page wait: a hang shows up as `timeout`, not as a stuck run. */
const boundMs = 8_000;

export default defineScenario<typeof page>({
  title: "two tabs: tab B's v2 upgrade completes; tab A's v1 handle gets versionchange and does not hang",
  async run({ tab: tabA, note }) {
    const a = await tabA.run('openV1', db);
    assert.equal(a.count, 1);
    assert.equal(a.state, 'open');

    const tabB = await tabA.newTab();
    const b = await tabB.run('openV2', db, boundMs);
    assert.equal(
      b.opened.outcome,
      'resolved',
      `tab B's upgrade did not complete: ${JSON.stringify(b.opened)}`,
    );
    if (b.opened.outcome === 'resolved') {
      assert.deepEqual(
        { tasks: b.opened.value.tasks, labels: b.opened.value.labels },
        { tasks: 1, labels: 1 },
      );
      assert.equal(b.opened.value.report?.fromVersion, 1);
      assert.equal(b.opened.value.report?.toVersion, 2);
    }
    note(`tab B's upgrade with tab A open: ${b.opened.ms} ms`);

    const after = await tabA.run('afterVersionchange', boundMs);
    assert.equal(
      after.event,
      'resolved',
      `tab A's handle saw no versionchange event: ${JSON.stringify(after)}`,
    );
    assert.notEqual(after.next.outcome, 'timeout', "tab A's next operation hung");
    if (after.next.outcome === 'rejected') {
      assert.ok(
        after.next.error.typed,
        `tab A's next operation failed untyped: ${JSON.stringify(after.next.error)}`,
      );
      note(
        `tab A's next operation: ${after.next.error.name} (${after.next.error.code}) after ${after.next.ms} ms`,
      );
    } else {
      note(`tab A's next operation: reopened and answered ${JSON.stringify(after.next)}`);
    }
    assert.ok(after.events.includes('versionchange'));
  },
});
