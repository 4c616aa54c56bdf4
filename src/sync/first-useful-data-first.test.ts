import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localState, type SyncFixture, serverState, startSyncFixture } from '../../test/sync/sync-fixture.js';
import type { SyncTransport } from '../transport/sync-transport.js';
import type { SyncProgress } from './run-context.js';
import { createSyncClient } from './sync-client.js';

let fx: SyncFixture;
beforeAll(async () => {
  fx = await startSyncFixture();
});
afterAll(() => fx?.close());

describe('first useful data first', () => {
  it('makes work orders readable before the lookup declared before them has finished', async () => {
    const token = await fx.user('first-data');
    await fx.seed('service_types', 200, { prefix: 'st' });
    await fx.seed('work_orders', 5, { owner: 'first-data', prefix: 'wo' });
    const app = fx.app(token);
    // The lookup's pulls after its first page wait until work orders are ready: a client that pulls
    // the lookup first (or alone) never gets there.
    let release = () => {};
    const lookupHeld = new Promise<void>((resolve) => {
      release = resolve;
    });
    let lookupPulls = 0;
    const transport: SyncTransport = {
      capabilities: (signal) => app.transport.capabilities(signal),
      push: (request, signal) => app.transport.push(request, signal),
      async pull(request, signal) {
        if (request.collection === 'service_types' && ++lookupPulls > 1) await lookupHeld;
        return app.transport.pull(request, signal);
      },
    };
    const client = createSyncClient({
      database: app.db,
      transport,
      locks: null,
      windowSize: 20,
      collections: { service_types: {}, work_orders: {} },
    });
    const progress: SyncProgress[] = [];
    let seenWhenReady: { workOrders: number; serviceTypes: number } | undefined;
    client.progress$.subscribe((p) => {
      progress.push(p);
      if (p.collection !== 'work_orders' || p.ready !== true) return;
      void Promise.all([app.db.count('work_orders'), app.db.count('service_types')]).then(
        ([workOrders, serviceTypes]) => {
          seenWhenReady = { workOrders, serviceTypes };
          release();
        },
      );
    });

    const summary = await client.sync();
    await client.close();

    expect(summary.outcome).toBe('ok');
    // All work orders, and at most the lookup's first page (20 of 200).
    expect(seenWhenReady?.workOrders).toBe(5);
    expect(seenWhenReady?.serviceTypes).toBeLessThanOrEqual(20);
    const ready = progress.filter((p) => p.ready === true).map((p) => p.collection);
    expect(ready).toEqual(['work_orders', 'service_types']);
    const readyMs = Object.fromEntries(summary.collections.map((c) => [c.collection, c.readyMs]));
    expect(readyMs.work_orders).toBeLessThanOrEqual(readyMs.service_types!);
    expect(await localState(app.db, 'service_types')).toEqual(await serverState(fx.server, 'service_types'));
  });

  it('pulls by priority, then transactional before lookup, then the smaller known size first', async () => {
    const token = await fx.user('order');
    await fx.seed('parts', 30, { prefix: 'pa' });
    const { client } = fx.app(token, {
      client: {
        collections: { service_types: {}, parts: {}, work_orders: {}, customers: { priority: 1 } },
      },
    });
    const first = await client.sync();
    // Both lanes start at once, in this order; the summary lists collections as their pulls start.
    expect(first.collections.map((c) => c.collection)).toEqual([
      'customers',
      'work_orders',
      'service_types',
      'parts',
    ]);
    expect(first.collections.every((c) => c.readyMs !== undefined && c.readyMs >= 0)).toBe(true);
    // Sizes are known now (service_types holds the 200 records seeded above, parts 30).
    const second = await client.sync();
    expect(second.collections.map((c) => c.collection)).toEqual([
      'customers',
      'work_orders',
      'parts',
      'service_types',
    ]);
  });
});
