import { filter, firstValueFrom, from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { uniqueName, within } from '../../test/db/test-support.js';
import { isIdbSyncError } from '../errors/idb-sync-error.js';

import type { VersionSpec } from '../upversion/schema-types.js';
import type { DatabaseEvent } from './database-state.js';
import { defineDatabase } from './define-database.js';

const v1 = {
  version: 1,
  stores: { work_orders: { keyPath: 'id', kind: 'transactional' } },
} as const satisfies VersionSpec;
const v2 = {
  version: 2,
  stores: {
    work_orders: { keyPath: 'id', kind: 'transactional', indexes: { byStatus: { keyPath: 'status' } } },
    service_types: { keyPath: 'id', kind: 'lookup' },
  },
} as const satisfies VersionSpec;

function nextEvent(
  db: { events$: import('../rx/observable.js').Observable<DatabaseEvent> },
  type: DatabaseEvent['type'],
) {
  return firstValueFrom(from(db.events$).pipe(filter((e) => e.type === type)));
}

describe('versionchange', () => {
  it('closes the handle when another connection upgrades, emits the event, and does not block the upgrade', async () => {
    const name = uniqueName('vc');
    const oldTab = defineDatabase({ name, versions: [v1], blockedTimeoutMs: 2_000 });
    await oldTab.put('work_orders', { id: 'a', status: 'open' });
    const versionchange = nextEvent(oldTab, 'versionchange');

    const newTab = defineDatabase({ name, versions: [v1, v2], blockedTimeoutMs: 2_000 });
    await within(newTab.open(), 2_000, 'the upgrade next to an open v1 handle');
    expect(await versionchange).toEqual({
      type: 'versionchange',
      oldVersion: 1,
      newVersion: 2,
      reloadRequired: true,
    });
    expect(oldTab.state).toBe('versionchange');
    expect(newTab.lastUpgrade).toMatchObject({ fromVersion: 1, toVersion: 2 });

    // The old code cannot use version 2: a typed error right away, never a hang.
    const error = await within(oldTab.count('work_orders'), 2_000, 'an operation of the old code').catch(
      (e) => e,
    );
    expect(isIdbSyncError(error, 'DATABASE_VERSION_TOO_OLD')).toBe(true);
    expect(error).toMatchObject({ declaredVersion: 1, existingVersion: 2 });
    expect(oldTab.state).toBe('error');
    await newTab.close();
  });

  it('recreates the database on the next operation after another handle deleted it', async () => {
    const name = uniqueName('vc-deleted');
    const a = defineDatabase({ name, versions: [v1, v2] });
    const b = defineDatabase({ name, versions: [v1, v2] });
    await a.put('work_orders', { id: 'a', status: 'open' });
    const deleted = nextEvent(a, 'versionchange');
    const reopened = nextEvent(a, 'reopened');
    await within(b.deleteDatabase(), 2_000, 'deleting next to an open handle');
    expect(await deleted).toEqual({
      type: 'versionchange',
      oldVersion: 2,
      newVersion: null,
      reloadRequired: false,
    });
    expect(a.state).toBe('deleted');
    expect(await within(a.count('work_orders'), 2_000, 'first operation after the deletion')).toBe(0);
    expect(await reopened).toEqual({ type: 'reopened', version: 2, liveVersion: 2 });
    expect(a.state).toBe('open');
    expect(a.lastUpgrade).toMatchObject({ fromVersion: 0, toVersion: 2 });
    await a.close();
    await b.close();
  });
});
