// The handle's changes$: this handle's writes (`local`), other handles' and tabs' (`tab`, over a
// BroadcastChannel opened on first use and closed with the handle), after their commit only.
import { filter, firstValueFrom, from } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { uniqueName } from '../../test/db/test-support.js';
import type { StoreChange } from './database-changes.js';
import { defineDatabase } from './define-database.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

/** Replaces BroadcastChannel by a subclass that counts channels created and closed. */
function countChannels() {
  const count = { created: 0, closed: 0 };
  const Original = globalThis.BroadcastChannel;
  vi.stubGlobal(
    'BroadcastChannel',
    class extends Original {
      constructor(name: string) {
        super(name);
        count.created += 1;
      }
      override close(): void {
        count.closed += 1;
        super.close();
      }
    },
  );
  return count;
}

const versions = [
  {
    version: 1,
    stores: {
      notes: { keyPath: 'id', kind: 'local' },
      drafts: { kind: 'local', autoIncrement: true },
    },
  },
] as const;

describe('changes$ of a database handle', () => {
  it('opens its BroadcastChannel on the first subscription or write, not on reads, and closes it with the handle', async () => {
    const channels = countChannels();
    const db = defineDatabase({ name: uniqueName('lazy-channel'), versions });
    await db.count('notes');
    expect(channels.created).toBe(0);
    await db.put('notes', { id: 'a' });
    expect(channels.created).toBe(1);
    const subscription = db.changes$.subscribe(() => undefined);
    expect(channels.created).toBe(1);
    await db.close();
    expect(channels).toEqual({ created: 1, closed: 1 });
    // Still subscribed: the next operation reopens the channel.
    await db.count('notes');
    expect(channels.created).toBe(2);
    subscription.unsubscribe();
    await db.close();
  });

  it('announces a write as local here and as tab on another handle, keys included', async () => {
    const name = uniqueName('two-handles');
    const here = defineDatabase({ name, versions });
    const there = defineDatabase({ name, versions });
    const local: StoreChange[] = [];
    const sub = here.changes$.subscribe((c) => local.push(c));
    const heard = firstValueFrom(from(there.changes$).pipe(filter((c) => c.type === 'delete')));
    const draftKey = await here.put('drafts', { text: 'x' });
    await here.write(['notes'], (tx) => {
      void tx.objectStore('notes').put({ id: 'n1' });
      void tx.objectStore('notes').delete(IDBKeyRange.only('n1'));
    });
    expect(await heard).toEqual({ store: 'notes', type: 'delete', key: 'n1', origin: 'tab' });
    expect(local).toEqual([
      { store: 'drafts', type: 'put', key: draftKey, origin: 'local' },
      { store: 'notes', type: 'put', key: 'n1', origin: 'local' },
      { store: 'notes', type: 'delete', key: 'n1', origin: 'local' },
    ]);
    sub.unsubscribe();
    await Promise.all([here.close(), there.close()]);
  });
});
