import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localState, type SyncFixture, serverState, startSyncFixture } from '../../test/sync/sync-fixture.js';

let fx: SyncFixture;
beforeAll(async () => {
  fx = await startSyncFixture();
});
afterAll(() => fx?.close());

const only = { collections: { work_orders: {} } };

/** Mutation results the server stored for a client: one per mutation it processed. */
async function processedMutations(owner: string): Promise<number> {
  const { rows } = await fx.server.db.query<{ n: number | string }>(
    `SELECT count(*) AS n FROM mutation_results r JOIN clients c ON c.client_id = r.client_id WHERE c.user_id = $1`,
    [owner],
  );
  return Number(rows[0]?.n ?? 0);
}

describe('exactly-once push', () => {
  it('applies a push whose response was lost once, and bases a write made meanwhile on its revision', async () => {
    const token = await fx.user('lost');
    const app = fx.app(token, { client: only });
    await app.client.sync();
    await app.db.put('work_orders', { id: 'w1', title: 'v1' });

    app.transport.losePushResponses = 1;
    const lost = await app.client.sync();
    expect(lost.outcome).toBe('waiting');
    expect(await serverState(fx.server, 'work_orders', 'lost')).toEqual({ w1: { id: 'w1', title: 'v1' } });

    // Written while the first push's fate is unknown: it must wait for that push's revision.
    await app.db.put('work_orders', { id: 'w1', title: 'v2' });
    expect(await app.client.pendingWrites()).toBe(2);
    const retried = await app.client.sync();

    expect(retried.outcome).toBe('ok');
    expect(retried.push).toEqual({ sent: 2, applied: 2, conflicts: 0, rejected: 0 });
    expect(await serverState(fx.server, 'work_orders', 'lost')).toEqual({ w1: { id: 'w1', title: 'v2' } });
    expect(await processedMutations('lost')).toBe(2);
    expect(await app.client.conflictLog()).toEqual([]);
    expect(await localState(app.db, 'work_orders')).toEqual(
      await serverState(fx.server, 'work_orders', 'lost'),
    );
  });

  it('converges without conflicts or duplicates whatever pushes lose their responses', async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            writes: fc.array(
              fc.record({ id: fc.constantFrom('a', 'b', 'c', 'd'), del: fc.boolean(), n: fc.nat(99) }),
              { minLength: 1, maxLength: 6 },
            ),
            lose: fc.nat(2),
          }),
          { minLength: 1, maxLength: 4 },
        ),
        async (rounds) => {
          round += 1;
          const owner = `prop${round}`;
          const token = await fx.user(owner);
          const app = fx.app(token, { client: { ...only, maxPushBatch: 3 } });
          await app.client.sync();
          for (const { writes, lose } of rounds) {
            for (const w of writes) {
              if (w.del) await app.db.delete('work_orders', w.id);
              else await app.db.put('work_orders', { id: w.id, n: w.n });
            }
            app.transport.losePushResponses = lose;
            await app.client.sync();
          }
          app.transport.losePushResponses = 0;
          const final = await app.client.sync();
          expect(final.error).toBeUndefined();
          expect(final.outcome).toBe('ok');
          expect(await app.client.pendingWrites()).toBe(0);
          expect(await app.client.conflictLog()).toEqual([]);
          expect(await localState(app.db, 'work_orders')).toEqual(
            await serverState(fx.server, 'work_orders', owner),
          );
          const sentIds = new Set(app.transport.pushes.flatMap((p) => p.mutations.map((m) => m.mutationId)));
          expect(await processedMutations(owner)).toBe(sentIds.size);
          await app.client.close();
        },
      ),
      { numRuns: 8 },
    );
  });
});
