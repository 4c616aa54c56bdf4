import { filter, firstValueFrom, from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  dispatchCloseEvent,
  rawConnectionOf,
  simulateConnectionLoss,
  uniqueName,
  within,
} from '../../test/db/test-support.js';
import { isIdbSyncError } from '../errors/idb-sync-error.js';
import { rawTransaction } from '../idb/promised.js';

import type { VersionSpec } from '../upversion/schema-types.js';
import { defineDatabase } from './define-database.js';

const versions = [
  { version: 1, stores: { work_orders: { keyPath: 'id', kind: 'transactional' } } },
] as const satisfies readonly VersionSpec[];

/**
 * A pass-through factory that remembers every connection it opened, so a test can close one
 * under the handle. Everything else is the real backend.
 */
function recordingFactory(onOpen?: () => void): { factory: IDBFactory; connections: IDBDatabase[] } {
  const connections: IDBDatabase[] = [];
  const real = indexedDB;
  const factory = {
    open(name: string, version?: number) {
      onOpen?.();
      const request = version === undefined ? real.open(name) : real.open(name, version);
      request.addEventListener('success', () => connections.push(request.result));
      return request;
    },
    deleteDatabase: (name: string) => real.deleteDatabase(name),
    cmp: (a: unknown, b: unknown) => real.cmp(a, b),
    databases: () => real.databases(),
  } as IDBFactory;
  return { factory, connections };
}

describe('lost connections', () => {
  it('retries once on a fresh connection when the connection was closed under the handle', async () => {
    const db = defineDatabase({ name: uniqueName('closed-under'), versions });
    await db.put('work_orders', { id: 'wo-1' });
    const raw = await rawConnectionOf(db);
    raw.close(); // other code closed the raw connection; no event tells the handle
    const reopened = firstValueFrom(from(db.events$).pipe(filter((e) => e.type === 'reopened')));
    let runs = 0;
    await within(
      db.write(['work_orders'], (tx) => {
        runs += 1;
        return tx.objectStore('work_orders').put({ id: 'wo-2' });
      }),
      2_000,
      'the write after the connection closed',
    );
    await reopened;
    expect(runs).toBe(1); // the first attempt failed before the callback ran
    expect(await db.count('work_orders')).toBe(2);
    await db.close();
  });

  it('reopens after the browser drops the connection (close event)', async () => {
    const db = defineDatabase({ name: uniqueName('terminated'), versions });
    await db.put('work_orders', { id: 'wo-1' });
    const terminated = firstValueFrom(from(db.events$).pipe(filter((e) => e.type === 'terminated')));
    simulateConnectionLoss(await rawConnectionOf(db));
    await terminated;
    expect(db.state).toBe('closed');
    expect(await within(db.count('work_orders'), 2_000, 'the first read after the loss')).toBe(1);
    expect(db.state).toBe('open');
    await db.close();
  });

  it('does not run a committed transaction again when the connection is lost right after it', async () => {
    const db = defineDatabase({ name: uniqueName('lost-after'), versions });
    let runs = 0;
    const key = await within(
      db.write(['work_orders'], (tx) => {
        runs += 1;
        const put = tx.objectStore('work_orders').put({ id: `wo-${runs}` });
        // Closing waits for this transaction, which still commits; the handle learns of the loss.
        simulateConnectionLoss(rawTransaction(tx).db);
        return put;
      }),
      2_000,
      'the write whose connection was lost',
    );
    expect(key).toBe('wo-1');
    expect(runs).toBe(1);
    expect(await within(db.count('work_orders'), 2_000, 'the next read, on a new connection')).toBe(1);
    await db.close();
  });

  it('stops waiting for a transaction the browser never finishes after dropping the connection, and retries it', async () => {
    let spinning = true;
    // In Safari the dropped connection's transactions die with it; here the spinning transaction is
    // on a live connection, so it is stopped when the handle opens its new one (or it would hold
    // its lock forever).
    const { factory } = recordingFactory(() => {
      spinning = false;
    });
    const db = defineDatabase({
      name: uniqueName('never-finishes'),
      // `scratch` (a plain local store) holds the request loop; work_orders' writes are tracked.
      versions: [
        {
          version: 1,
          stores: {
            work_orders: { keyPath: 'id', kind: 'transactional' },
            scratch: { keyPath: 'id', kind: 'local' },
          },
        },
      ],
      lostConnectionGraceMs: 50,
      indexedDB: factory,
    });
    await db.put('work_orders', { id: 'wo-1' });
    spinning = true;
    let runs = 0;
    const result = await within(
      db.write(['work_orders', 'scratch'], (tx) => {
        runs += 1;
        if (runs === 1) {
          // Keep the first transaction unfinished (a request loop), then drop the connection.
          const raw = rawTransaction(tx);
          const store = raw.objectStore('scratch');
          const spin = (): void => {
            if (spinning) store.get('nothing').onsuccess = spin;
          };
          spin();
          dispatchCloseEvent(raw.db);
          return new Promise<never>(() => {}); // and the callback never returns either
        }
        return tx.objectStore('work_orders').put({ id: 'wo-2' });
      }),
      2_000,
      'the write whose transaction never finished',
    );
    expect(result).toBe('wo-2');
    expect(runs).toBe(2);
    expect(await db.count('work_orders')).toBe(2);
    await db.close();
  });

  it('gives up with DatabaseClosedError when the fresh connection is lost too (one retry only)', async () => {
    const { factory, connections } = recordingFactory();
    const db = defineDatabase({ name: uniqueName('twice'), versions, indexedDB: factory });
    await db.put('work_orders', { id: 'wo-1' });
    connections.at(-1)!.close();
    // Each reopened connection is closed again as soon as the handle has it.
    const subscription = from(db.events$)
      .pipe(filter((e) => e.type === 'reopened'))
      .subscribe(() => connections.at(-1)!.close());
    let runs = 0;
    const error = await within(
      db.write(['work_orders'], (tx) => {
        runs += 1;
        return tx.objectStore('work_orders').put({ id: 'wo-2' });
      }),
      2_000,
      'the write on connections that keep dying',
    ).catch((e: unknown) => e);
    subscription.unsubscribe();
    expect(isIdbSyncError(error, 'DATABASE_CLOSED')).toBe(true);
    // The transaction held the outbox stores too: a write to a synced store records its entry there.
    expect(error).toMatchObject({ operation: 'write', stores: expect.arrayContaining(['work_orders']) });
    expect(runs).toBe(0);
    // Once connections stop dying, the handle works again.
    expect(await within(db.count('work_orders'), 2_000, 'a read after the failures')).toBe(1);
    await db.close();
  });
});
