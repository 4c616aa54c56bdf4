import { filter, firstValueFrom, from } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openRaw, uniqueName, within } from '../../test/db/test-support.js';
import { isIdbSyncError } from '../errors/idb-sync-error.js';

import type { VersionSpec } from '../upversion/schema-types.js';
import { defineDatabase } from './define-database.js';

const v1 = {
  version: 1,
  stores: { work_orders: { keyPath: 'id', kind: 'transactional' } },
} as const satisfies VersionSpec;
const v2 = {
  version: 2,
  stores: { ...v1.stores, service_types: { keyPath: 'id', kind: 'lookup' } },
} as const satisfies VersionSpec;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('blocked upgrade', () => {
  it('rejects with UpgradeBlockedError within the timeout, says blocked, and opens once the other connection closes', async () => {
    const name = uniqueName('blocked');
    const first = defineDatabase({ name, versions: [v1] });
    await first.put('work_orders', { id: 'wo-1' });
    await first.close();
    // A connection that ignores versionchange (another library, code from before the SDK).
    const stubborn = await openRaw(name);

    const open = vi.spyOn(indexedDB, 'open');
    const db = defineDatabase({ name, versions: [v1, v2], blockedTimeoutMs: 100 });
    const blockedEvent = firstValueFrom(from(db.events$).pipe(filter((e) => e.type === 'blocked')));
    const error = await within(db.open(), 2_000, 'the blocked open').catch((e: unknown) => e);
    expect(isIdbSyncError(error, 'UPGRADE_BLOCKED')).toBe(true);
    expect(error).toMatchObject({ database: name, version: 2, timeoutMs: 100 });
    expect(await blockedEvent).toEqual({ type: 'blocked', operation: 'open' });
    expect(db.state).toBe('blocked');

    // Asking again while still blocked waits on the same queued open, and times out again.
    const again = await within(db.count('work_orders'), 2_000, 'the second blocked operation').catch(
      (e: unknown) => e,
    );
    expect(isIdbSyncError(again, 'UPGRADE_BLOCKED')).toBe(true);
    expect(open.mock.calls.filter(([, version]) => version !== undefined)).toHaveLength(1);

    stubborn.close();
    expect(await within(db.count('work_orders'), 2_000, 'the operation after the blocker closed')).toBe(1);
    expect(db.state).toBe('open');
    expect(db.lastUpgrade).toMatchObject({ fromVersion: 1, toVersion: 2, createdStores: ['service_types'] });
    await db.close();
  });

  it('is not blocked by handles of this SDK: they close themselves on versionchange', async () => {
    const name = uniqueName('not-blocked');
    const others = [defineDatabase({ name, versions: [v1] }), defineDatabase({ name, versions: [v1] })];
    await Promise.all(others.map((other) => other.count('work_orders')));
    const db = defineDatabase({ name, versions: [v1, v2], blockedTimeoutMs: 5_000 });
    const states: string[] = [];
    const subscription = db.state$.subscribe((state) => states.push(state));
    await within(db.open(), 2_000, 'the upgrade next to two open handles');
    subscription.unsubscribe();
    expect(states).not.toContain('blocked');
    expect(others.map((other) => other.state)).toEqual(['versionchange', 'versionchange']);
    await db.close();
  });
});
