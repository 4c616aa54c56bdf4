import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localState, type SyncFixture, serverState, startSyncFixture } from '../../test/sync/sync-fixture.js';
import type { ConflictStrategy } from './conflict-strategy.js';

let fx: SyncFixture;
beforeAll(async () => {
  fx = await startSyncFixture();
});
afterAll(() => fx?.close());

const edit = fc.record({
  device: fc.constantFrom(0, 1),
  id: fc.constantFrom('o1', 'o2', 'o3'),
  field: fc.constantFrom('title', 'status', 'qty'),
  value: fc.nat(9),
  del: fc.integer({ min: 0, max: 9 }).map((n) => n < 3),
});

describe('two devices editing the same records', () => {
  const strategies: [string, ConflictStrategy][] = [
    ['server-wins', 'server-wins'],
    ['client-wins', 'client-wins'],
    ['merge', { kind: 'merge', tie: 'client' }],
  ];
  for (const [label, strategy] of strategies) {
    it(`converge to the server's state with ${label}, whatever the interleaving of edits and syncs`, async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(edit, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 3 }),
          async (rounds) => {
            run += 1;
            const owner = `${label}-${run}`;
            const token = await fx.user(owner);
            for (const id of ['o1', 'o2', 'o3']) {
              await fx.server.admin.putRecord('work_orders', id, { title: 't', status: 's', qty: 0 }, owner);
            }
            const options = { client: { collections: { work_orders: { conflicts: strategy } } } };
            const devices = [fx.app(token, options), fx.app(token, options)];
            for (const d of devices) await d.client.sync();
            for (const round of rounds) {
              // Both devices edit offline, then sync one after the other.
              for (const e of round) {
                const device = devices[e.device]!;
                const current = (await device.db.get('work_orders', e.id)) as
                  | Record<string, unknown>
                  | undefined;
                if (e.del) await device.db.delete('work_orders', e.id);
                else await device.db.put('work_orders', { ...current, id: e.id, [e.field]: e.value });
              }
              for (const d of devices) expect((await d.client.sync()).outcome).toBe('ok');
            }
            // One more pass lets the first device see what the second pushed last.
            for (const d of devices) await d.client.sync();
            const server = await serverState(fx.server, 'work_orders', owner);
            for (const d of devices) {
              expect(await d.client.pendingWrites()).toBe(0);
              expect(await localState(d.db, 'work_orders')).toEqual(server);
            }
            for (const d of devices) await d.client.close();
          },
        ),
        { numRuns: 5 },
      );
    });
  }
});
