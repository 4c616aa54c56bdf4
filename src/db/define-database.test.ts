import { filter, firstValueFrom, from } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { describeRaw, sortBy, uniqueName } from '../../test/db/test-support.js';
import { isIdbSyncError } from '../errors/idb-sync-error.js';
import { rawTransaction } from '../idb/promised.js';

import type { VersionSpec } from '../upversion/schema-types.js';
import type { DatabaseEvent, DatabaseState } from './database-state.js';
import { defineDatabase } from './define-database.js';

const versions = [
  {
    version: 1,
    stores: {
      service_types: {
        keyPath: 'id',
        kind: 'lookup',
        indexes: { byCode: { keyPath: 'code', unique: true } },
      },
      work_orders: { keyPath: 'id', kind: 'transactional' },
      drafts: { kind: 'local', autoIncrement: true },
    },
  },
] as const satisfies readonly VersionSpec[];

function collect<T>(source: { subscribe(fn: (value: T) => void): { unsubscribe(): void } }) {
  const values: T[] = [];
  const subscription = source.subscribe((value) => values.push(value));
  return { values, stop: () => subscription.unsubscribe() };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('defineDatabase', () => {
  it('opens nothing until the first operation', async () => {
    const open = vi.spyOn(indexedDB, 'open');
    const name = uniqueName('lazy');
    const db = defineDatabase({ name, versions });
    expect(db.name).toBe(name);
    expect(db.version).toBe(1);
    expect(Object.keys(db.stores).sort()).toEqual(['drafts', 'service_types', 'work_orders']);
    expect(db.stores['service_types']).toMatchObject({ kind: 'lookup', keyPath: 'id' });
    expect(db.state).toBe('closed');
    expect(open).not.toHaveBeenCalled();
    await db.count('work_orders');
    expect(open).toHaveBeenCalled();
    await db.close();
  });

  it('goes closed → opening → upgrading → open on first use, and reports the creation', async () => {
    const db = defineDatabase({ name: uniqueName('states'), versions });
    const states = collect<DatabaseState>(db.state$);
    const events = collect<DatabaseEvent>(db.events$);
    await db.open();
    expect(states.values).toEqual(['closed', 'opening', 'upgrading', 'open']);
    expect(events.values.map((e) => e.type)).toEqual(['upgraded', 'opened']);
    const upgraded = events.values[0] as Extract<DatabaseEvent, { type: 'upgraded' }>;
    expect(upgraded.report).toEqual(db.lastUpgrade);
    expect(upgraded.report).toMatchObject({ fromVersion: 0, toVersion: 1, fromIdbVersion: 0 });
    expect(upgraded.report.kinds['service_types']).toBe('lookup');
    expect(upgraded.report.fingerprints['service_types']).toBe(db.stores['service_types']!.fingerprint);
    expect(await db.upgradeReports()).toEqual([upgraded.report]);
    states.stop();
    events.stop();
    await db.close();
    expect(db.state).toBe('closed');
  });

  it('opens once for many concurrent first operations', async () => {
    const open = vi.spyOn(indexedDB, 'open');
    const db = defineDatabase({ name: uniqueName('concurrent'), versions });
    const results = await Promise.all([
      db.count('work_orders'),
      db.count('drafts'),
      db.getAll('service_types'),
    ]);
    expect(results).toEqual([0, 0, []]);
    expect(open).toHaveBeenCalledTimes(1);
    await db.close();
  });

  it('reads and writes through the conveniences and transactions, resolving after the commit', async () => {
    const db = defineDatabase({ name: uniqueName('rw'), versions });
    expect(await db.put('work_orders', { id: 'wo-1', title: 'Replace pump' })).toBe('wo-1');
    const draftKey = await db.put('drafts', { text: 'hello' });
    expect(typeof draftKey).toBe('number');
    const written = await db.write(
      ['work_orders', 'service_types'],
      (tx) => {
        tx.objectStore('work_orders').put({ id: 'wo-2', title: 'Check valve' });
        tx.objectStore('service_types').put({ id: 1, code: 'PUMP' });
        return 'done';
      },
      { durability: 'relaxed', localOnly: true },
    );
    expect(written).toBe('done');
    expect(await db.get('work_orders', 'wo-2')).toEqual({ id: 'wo-2', title: 'Check valve' });
    expect(sortBy((await db.getAll('work_orders')) as { id: string }[], 'id').map((w) => w.id)).toEqual([
      'wo-1',
      'wo-2',
    ]);
    expect(await db.count('service_types')).toBe(1);
    const fromIndex = await db.read(['service_types'], (tx) =>
      tx.objectStore('service_types').index('byCode').get('PUMP'),
    );
    expect(fromIndex).toEqual({ id: 1, code: 'PUMP' });
    await db.delete('work_orders', 'wo-1');
    expect(await db.get('work_orders', 'wo-1')).toBeUndefined();
    await db.close();
  });

  it('aborts the transaction and wraps the error when the callback throws', async () => {
    const db = defineDatabase({ name: uniqueName('throws'), versions });
    const boom = new Error('validation failed');
    const error = await db
      .write(['work_orders'], (tx) => {
        tx.objectStore('work_orders')
          .put({ id: 'wo-1' })
          .catch(() => {}); // rejected by the abort; not awaited here
        throw boom;
      })
      .catch((e: unknown) => e);
    expect(isIdbSyncError(error, 'TRANSACTION_CALLBACK_FAILED')).toBe(true);
    expect((error as Error).cause).toBe(boom);
    expect(await db.count('work_orders')).toBe(0);
    await db.close();
  });

  it('rolls back and reports a typed error when an awaited request fails', async () => {
    const db = defineDatabase({ name: uniqueName('constraint'), versions });
    await db.put('service_types', { id: 1, code: 'PUMP' }, { localOnly: true });
    const error = await db
      .write(
        ['service_types'],
        async (tx) => {
          const store = tx.objectStore('service_types');
          const first = store.put({ id: 2, code: 'VALVE' });
          const second = store.put({ id: 3, code: 'PUMP' }); // breaks the unique index
          await Promise.all([first, second]);
        },
        { localOnly: true },
      )
      .catch((e: unknown) => e);
    expect(isIdbSyncError(error, 'CONSTRAINT_VIOLATION')).toBe(true);
    expect(error).toMatchObject({ stores: ['service_types'], operation: 'write', database: db.name });
    expect(await db.count('service_types')).toBe(1);
    await db.close();
  });

  it('reports a transaction the callback aborted itself as TransactionAbortedError, without retrying', async () => {
    const db = defineDatabase({ name: uniqueName('abort'), versions });
    let runs = 0;
    const error = await db
      .write(['work_orders'], async (tx) => {
        runs += 1;
        const store = tx.objectStore('work_orders');
        store.put({ id: 'x' }).catch(() => {});
        // Abort from a request callback: indexeddbshim wedges on an abort before any request ran.
        const probe = rawTransaction(tx).objectStore('work_orders').get('nothing');
        await new Promise<void>((resolve) => {
          probe.onsuccess = () => {
            tx.abort();
            resolve();
          };
        });
      })
      .catch((e: unknown) => e);
    expect(isIdbSyncError(error, 'TRANSACTION_ABORTED')).toBe(true);
    expect(runs).toBe(1);
    expect(await db.count('work_orders')).toBe(0);
    await db.close();
  });

  it('rejects a bad declaration when it is made, naming the problem', () => {
    expect(() =>
      defineDatabase({ name: 'x', versions: [{ version: 1, stores: { _mine: { kind: 'local' } } }] }),
    ).toThrow(/reserved for the SDK/);
    try {
      defineDatabase({ name: 'x', versions: [] });
    } catch (error) {
      expect(isIdbSyncError(error, 'INVALID_SCHEMA')).toBe(true);
    }
  });

  it('requests persistent storage once when asked to, and reports the answer', async () => {
    const persist = vi.fn(async () => true);
    vi.stubGlobal('navigator', { storage: { persist } });
    try {
      const db = defineDatabase({ name: uniqueName('persist'), versions, persist: true });
      const answer = firstValueFrom(from(db.events$).pipe(filter((e) => e.type === 'persisted')));
      await db.open();
      expect(await answer).toEqual({ type: 'persisted', persisted: true });
      await db.close();
      await db.open(); // a reopen does not ask again
      await db.close();
      expect(persist).toHaveBeenCalledTimes(1);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('leaves the live structure exactly as declared', async () => {
    const name = uniqueName('shape');
    const db = defineDatabase({ name, versions });
    await db.open();
    await db.close();
    const shape = await describeRaw(name);
    expect(shape.version).toBe(1002);
    expect(shape.stores['drafts']).toEqual({ keyPath: null, autoIncrement: true, indexes: {} });
    expect(shape.stores['service_types']).toEqual({
      keyPath: 'id',
      autoIncrement: false,
      indexes: { byCode: { keyPath: 'code', unique: true, multiEntry: false } },
    });
  });
});
