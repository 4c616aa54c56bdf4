import assert from 'node:assert/strict';
import { defineScenario } from '../harness/scenario.js';
import type * as page from './react-field-app.page.js';
import { startScenarioServer } from './support/reference-server.js';

export default defineScenario<typeof page>({
  title: 'React example: an edit made in a second browser context re-renders the first one’s list',
  page: 'react-field-app',
  timeoutMs: 90_000,
  async run({ tab: deviceA, newDevice, note }) {
    const server = await startScenarioServer();
    try {
      const token = await server.user('ana');
      await server.seedUserData('ana', 5, 1);
      await server.seedServiceTypes(30);
      const config = { dbName: 'react-two-devices', serverPath: server.path, token };
      await deviceA.run('openApp', config);
      await deviceA.run('untilOrderCount', 5);

      // Another device of the same user (its own storage) edits a work order and pushes it.
      const deviceB = await newDevice();
      await deviceB.run('openApp', config);
      await deviceB.run('untilOrderCount', 5);
      await deviceB.run('editTitle', 'wo-00002', 'edited on device B');
      const pushed = await deviceB.run('syncNow');
      await deviceB.run('untilPending', 0);
      note(`device B's run: ${pushed.outcome}, ${pushed.push.applied} applied`);

      // Device A does nothing: the server's event reaches its client, the pull changes the record,
      // and the live query re-renders the list.
      const started = Date.now();
      const shown = await deviceA.run('untilOrderTitle', 'wo-00002', 'edited on device B');
      note(`shown on device A ${Date.now() - started} ms after B's push`);
      assert.equal(shown.length, 5);
      await deviceA.run('untilPending', 0);
      await deviceB.run('closeApp');
      await deviceA.run('closeApp');
    } finally {
      await server.close();
    }
  },
});
