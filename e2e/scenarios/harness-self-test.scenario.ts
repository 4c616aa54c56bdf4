import assert from 'node:assert/strict';
import { PageError } from '../harness/driver.js';
import { defineScenario } from '../harness/scenario.js';
import type * as page from './harness-self-test.page.js';

const db = 'e2e-self-test';
const total = 10_000;

export default defineScenario<typeof page>({
  title: 'raw IndexedDB: 10k records written in pages survive a reload and are seen from a second tab',
  persistent: true,
  async run({ tab, note }) {
    assert.deepEqual(await tab.run('databaseNames'), [], 'a scenario starts with empty storage');

    const written = await tab.run('writeRecords', db, total, 1_000);
    assert.equal(written.transactions, 10);
    note(`wrote ${total} records in pages of 1k: ${Math.round(total / (written.ms / 1000))} records/s`);

    const expected = { count: total, idSum: (total * (total - 1)) / 2, group3: total / 10, mismatches: 0 };
    assert.deepEqual(await tab.run('readBack', db), expected);

    await tab.reload();
    assert.deepEqual(await tab.run('readBack', db), expected, 'the data survives a reload');

    const second = await tab.newTab();
    const fromSecond = await second.start('readBack', db);
    assert.deepEqual(await fromSecond.settle(), expected, 'a second tab of the origin sees the same data');
    await second.close();

    await assert.rejects(
      tab.run('failWithCode'),
      (error: unknown) =>
        error instanceof PageError &&
        error.errorName === 'DeliberateError' &&
        error.code === 'E2E_DELIBERATE' &&
        error.message.includes('deliberate failure'),
    );
  },
});
