import { filter, firstValueFrom, from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { openRaw, uniqueName, within } from '../../test/db/test-support.js';
import { isIdbSyncError } from '../errors/idb-sync-error.js';

import type { VersionSpec } from '../upversion/schema-types.js';
import { defineDatabase } from './define-database.js';

const versions = [
  { version: 1, stores: { work_orders: { keyPath: 'id', kind: 'transactional' } } },
] as const satisfies readonly VersionSpec[];

async function exists(name: string): Promise<boolean> {
  const names = (await indexedDB.databases()).map((info) => info.name);
  return names.includes(name);
}

describe('deleteDatabase', () => {
  it('waits for other handles to close theirs, deletes, and recreates the database on next use', async () => {
    const name = uniqueName('delete');
    const db = defineDatabase({ name, versions });
    const otherTab = defineDatabase({ name, versions });
    await db.put('work_orders', { id: 'wo-1' });
    await otherTab.count('work_orders');
    const deleted = firstValueFrom(from(db.events$).pipe(filter((e) => e.type === 'deleted')));

    await within(db.deleteDatabase(), 2_000, 'the deletion next to another handle');
    expect(await deleted).toEqual({ type: 'deleted' });
    expect(db.state).toBe('deleted');
    expect(otherTab.state).toBe('deleted');
    expect(await exists(name)).toBe(false);

    // Next use recreates it, empty, with a fresh upgrade report.
    expect(await db.count('work_orders')).toBe(0);
    expect(db.lastUpgrade).toMatchObject({ fromVersion: 0, toVersion: 1 });
    expect(await otherTab.count('work_orders')).toBe(0);
    expect((await db.upgradeReports()).map((r) => r.fromVersion)).toEqual([0]);
    await db.close();
    await otherTab.close();
  });

  it('rejects with DeleteBlockedError when another connection does not let go, and deletes once it does', async () => {
    const name = uniqueName('delete-blocked');
    const db = defineDatabase({ name, versions, deleteTimeoutMs: 100 });
    await db.put('work_orders', { id: 'wo-1' });
    const stubborn = await openRaw(name); // ignores versionchange

    const error = await within(db.deleteDatabase(), 2_000, 'the blocked deletion').catch((e: unknown) => e);
    expect(isIdbSyncError(error, 'DELETE_BLOCKED')).toBe(true);
    expect(error).toMatchObject({ database: name, timeoutMs: 100 });
    // Operations meanwhile wait for the deletion, bounded the same way.
    const waiting = await within(db.count('work_orders'), 2_000, 'an operation behind the deletion').catch(
      (e: unknown) => e,
    );
    expect(isIdbSyncError(waiting, 'DELETE_BLOCKED')).toBe(true);

    const deleted = firstValueFrom(from(db.events$).pipe(filter((e) => e.type === 'deleted')));
    stubborn.close();
    await within(deleted, 2_000, 'the deletion after the blocker closed');
    expect(await db.count('work_orders')).toBe(0);
    await db.close();
  });

  it('accepts a timeout per call', async () => {
    const name = uniqueName('delete-timeout');
    const db = defineDatabase({ name, versions });
    await db.count('work_orders');
    const stubborn = await openRaw(name);
    const error = await within(db.deleteDatabase({ timeoutMs: 50 }), 2_000, 'the blocked deletion').catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'DELETE_BLOCKED', timeoutMs: 50 });
    stubborn.close();
    await within(db.deleteDatabase({ timeoutMs: 2_000 }), 2_000, 'the deletion once unblocked');
    expect(db.state).toBe('deleted');
  });
});
