import { filter, firstValueFrom, from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { deleteRaw, MemoryStorage, openRaw, uniqueName } from '../../test/db/test-support.js';
import type { VersionSpec } from '../upversion/schema-types.js';
import { defineDatabase } from './define-database.js';

const versions = [
  { version: 1, stores: { work_orders: { keyPath: 'id', kind: 'transactional' } } },
] as const satisfies readonly VersionSpec[];

describe('eviction detection', () => {
  it('does not report a first visit as an eviction', async () => {
    const db = defineDatabase({
      name: uniqueName('first'),
      versions,
      evictionHintStorage: new MemoryStorage(),
    });
    await db.open();
    expect(db.state).toBe('open');
    expect(db.evicted).toBe(false);
    await db.close();
  });

  it('reports evicted when the browser dropped a database this origin used before', async () => {
    const name = uniqueName('dropped');
    const storage = new MemoryStorage();
    const before = defineDatabase({ name, versions, evictionHintStorage: storage });
    await before.put('work_orders', { id: 'wo-1' });
    await before.close();
    await deleteRaw(name); // what storage eviction does: the database is simply gone

    const after = defineDatabase({ name, versions, evictionHintStorage: storage });
    const evicted = firstValueFrom(from(after.events$).pipe(filter((e) => e.type === 'evicted')));
    expect(await after.count('work_orders')).toBe(0);
    expect(await evicted).toEqual({ type: 'evicted', reason: 'recreated' });
    expect(after.state).toBe('evicted');
    expect(after.evicted).toBe(true);
    // Operations work meanwhile; sync refetches, then the app acknowledges.
    await after.put('work_orders', { id: 'wo-2' });
    after.acknowledgeEviction();
    expect(after.state).toBe('open');
    expect(after.evicted).toBe(false);
    await after.close();

    // The next page load sees the recreated database as normal.
    const later = defineDatabase({ name, versions, evictionHintStorage: storage });
    await later.open();
    expect(later.evicted).toBe(false);
    await later.close();
  });

  it('reports evicted when the marker record vanished from an existing database', async () => {
    const name = uniqueName('marker');
    const db = defineDatabase({ name, versions, evictionHintStorage: null });
    await db.put('work_orders', { id: 'wo-1' });
    await db.close();
    // Records dropped under us, structure intact.
    const raw = await openRaw(name);
    await new Promise<void>((resolve) => {
      const tx = raw.transaction(['_meta', 'work_orders'], 'readwrite');
      tx.objectStore('_meta').delete('marker');
      tx.objectStore('work_orders').clear();
      tx.oncomplete = () => resolve();
    });
    raw.close();

    const evicted = firstValueFrom(from(db.events$).pipe(filter((e) => e.type === 'evicted')));
    expect(await db.count('work_orders')).toBe(0);
    expect(await evicted).toEqual({ type: 'evicted', reason: 'marker-missing' });
    expect(db.state).toBe('evicted');
    await db.close();
    // A new marker was written: the next open is not an eviction again.
    const next = defineDatabase({ name, versions, evictionHintStorage: null });
    await next.open();
    expect(next.evicted).toBe(false);
    await next.close();
  });

  it('does not take a deletion through the SDK for an eviction', async () => {
    const name = uniqueName('deleted-on-purpose');
    const storage = new MemoryStorage();
    const db = defineDatabase({ name, versions, evictionHintStorage: storage });
    await db.put('work_orders', { id: 'wo-1' });
    await db.deleteDatabase();
    expect(await db.count('work_orders')).toBe(0);
    expect(db.evicted).toBe(false);
    expect(db.state).toBe('open');
    await db.close();
  });
});
