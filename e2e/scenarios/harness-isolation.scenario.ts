import assert from 'node:assert/strict';
import { defineScenario } from '../harness/scenario.js';
import type * as page from './harness-self-test.page.js';

export default defineScenario<typeof page>({
  title: 'each scenario gets a fresh session: storage left by another scenario is not visible',
  page: 'harness-self-test',
  async run({ tab }) {
    // The self-test scenario creates this database too; whichever runs second must not see it.
    assert.deepEqual(await tab.run('databaseNames'), []);
    await tab.run('writeRecords', 'e2e-self-test', 10, 10);
    assert.deepEqual(await tab.run('databaseNames'), ['e2e-self-test']);
  },
});
