import { expect } from 'vitest';
import { uniqueDbName } from '../../sync/test-database.js';
import { dataBehindCheckpoint, FuzzApp, type FuzzServer, serverRecords } from './fuzz-world.js';
import { readLedger } from './server-ledger.js';

/**
 * A realistic sync run to break at every step: a user whose app synced once and then drifted. The
 * run ({@link driftedWorldRun}) pushes an outbox of four writes (one conflicting) in two batches,
 * pulls eight changes of `refs` in three pages and red-syncs `work_orders` (clear, refetch in pages).
 */
let worlds = 0;

export interface World {
  readonly app: FuzzApp;
  readonly user: string;
  /** Revisions of the server's own edits of work_orders. */
  readonly serverRevs: Set<string>;
}

/** A user whose app synced once, then drifted: server edits on both stores, four local writes. */
export async function driftedWorld(server: FuzzServer, prefix: string): Promise<World> {
  worlds += 1;
  const user = `${prefix}-${globalThis.__IDB_BACKEND__}-${worlds}`;
  const token = (await server.admin.createUser(user)).token;
  const serverRevs = new Set<string>();
  for (let i = 0; i < 6; i++) {
    await server.admin.putRecord('refs', `r${i}`, { n: i }, user);
    serverRevs.add(await server.admin.putRecord('work_orders', `w${i}`, { n: i, by: 'server' }, user));
  }
  const app = new FuzzApp(server, uniqueDbName(prefix), token);
  const first = await app.client.sync();
  expect(first.outcome).toBe('ok');
  // Eight changes of refs: three pages of at most 3 (the app's window).
  for (let i = 6; i < 11; i++) await server.admin.putRecord('refs', `r${i}`, { n: i }, user);
  await server.admin.putRecord('refs', 'r1', { n: 100 }, user);
  await server.admin.deleteRecord('refs', 'r2', user);
  await server.admin.deleteRecord('refs', 'r3', user);
  // The outbox: an edit, a create, a delete, and an edit the server edited meanwhile (a conflict).
  await app.db.put('work_orders', { id: 'w1', n: 11, by: 0 });
  await app.db.put('work_orders', { id: 'new', n: 1, by: 0 });
  await app.db.delete('work_orders', 'w2');
  await app.db.put('work_orders', { id: 'w3', n: 33, by: 0 });
  serverRevs.add(await server.admin.putRecord('work_orders', 'w3', { n: 30, by: 'server' }, user));
  return { app, user, serverRevs };
}

/** The run under test: push the outbox, pull refs incrementally, red-sync work_orders. */
export const driftedWorldRun = { red: ['work_orders'] };

/** After the faults stop: the client equals the server and nothing was lost or applied twice. */
export async function checkInvariants(server: FuzzServer, { app, user, serverRevs }: World): Promise<void> {
  for (const store of ['work_orders', 'refs'] as const) {
    const expected = await serverRecords(server, store, user);
    const local = Object.fromEntries(
      (await app.db.all(store)).map((r) => {
        const { _rev, ...rest } = r;
        return [String(r['id']), rest];
      }),
    );
    expect(local, `${store}: client equals server`).toEqual(expected);
    const rebuilt = await dataBehindCheckpoint(app, store);
    if (rebuilt !== undefined) expect(rebuilt, `${store}: checkpoint not ahead of data`).toEqual(expected);
  }
  expect(await app.client.pendingWrites(), 'pending writes').toBe(0);
  const work = await serverRecords(server, 'work_orders', user);
  // Every acknowledged write reached the server, or (the conflicting one) the conflict log.
  expect(work['w1']).toEqual({ id: 'w1', n: 11, by: 0 });
  expect(work['new']).toEqual({ id: 'new', n: 1, by: 0 });
  expect(work['w2']).toBeUndefined();
  const logged = (await app.client.conflictLog()).map((e) => e.id);
  expect(logged, 'the conflict on w3 is logged').toEqual(['w3']);
  const ledger = await readLedger(server, user, serverRevs);
  expect(ledger.processed, 'every mutation sent was processed, once').toBe(app.allSent().size);
  expect(ledger.changeLogSteps, 'no mutation applied twice').toBe(ledger.clientRevs + serverRevs.size);
  expect(ledger.conflicted).toEqual(['w3']);
}
