// STYLE rule 1: importing the SDK opens nothing — no database, BroadcastChannel, timer or event
// listener at module top level — and neither does declaring a database.
import { afterEach, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

it('opens no database, channel, timer or listener when the SDK entries are imported or a database declared', async () => {
  const open = vi.spyOn(indexedDB, 'open');
  const deleteDatabase = vi.spyOn(indexedDB, 'deleteDatabase');
  const channels: unknown[] = [];
  vi.stubGlobal(
    'BroadcastChannel',
    class {
      constructor(name: string) {
        channels.push(name);
      }
    },
  );
  const timeouts = vi.spyOn(globalThis, 'setTimeout');
  const intervals = vi.spyOn(globalThis, 'setInterval');
  const listeners = vi.spyOn(EventTarget.prototype, 'addEventListener');

  vi.resetModules();
  const sdk = await import('./index.js');
  await import('./transport/index.js');
  await import('./protocol/index.js');
  const appDb = sdk.defineDatabase({
    name: 'import-test',
    versions: [{ version: 1, stores: { work_orders: { keyPath: 'id', kind: 'transactional' } } }],
  });
  expect(appDb.state).toBe('closed');

  expect(open).not.toHaveBeenCalled();
  expect(deleteDatabase).not.toHaveBeenCalled();
  expect(channels).toEqual([]);
  expect(timeouts).not.toHaveBeenCalled();
  expect(intervals).not.toHaveBeenCalled();
  expect(listeners).not.toHaveBeenCalled();
  expect(await indexedDB.databases()).toEqual([]);
});
