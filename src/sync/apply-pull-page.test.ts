import { afterEach, describe, expect, it } from 'vitest';
import {
  deleteTestDatabase,
  openTestDatabase,
  type TestDatabase,
  uniqueDbName,
} from '../../test/sync/test-database.js';
import type { Change, PullResponse } from '../protocol/messages.js';
import { applyPullPage } from './apply-pull-page.js';
import { readCheckpoints } from './checkpoints.js';
import type { CheckpointRecord } from './internal-stores.js';
import { connectionSource } from './sync-database.js';

let db: TestDatabase;
afterEach(async () => {
  await db.close();
  await deleteTestDatabase(db.name);
});

function open() {
  db = openTestDatabase(uniqueDbName('page'), {}, [
    {
      version: 1,
      stores: {
        parts: { keyPath: 'id', kind: 'lookup', indexes: { 'by-code': { keyPath: 'code', unique: true } } },
        orders: { keyPath: 'id', kind: 'transactional' },
      },
    },
  ]);
  return connectionSource(db);
}

const target = (store: string) => ({ store, keyPath: 'id', revField: '_rev' });
const put = (id: string, rev: string, extra: object = {}): Change => ({
  id,
  rev,
  op: 'put',
  value: { code: id, ...extra },
});
const page = (over: Partial<PullResponse>): PullResponse => ({
  protocolVersion: 1,
  collection: 'parts',
  mode: 'snapshot',
  changes: [],
  checkpoint: 'tok',
  moreAvailable: true,
  windowSize: 3,
  ...over,
});
const start = (collection: string, snapshotMode?: 'red' | 'full'): CheckpointRecord => ({
  collection,
  phase: snapshotMode === undefined ? 'changes' : 'snapshot',
  ...(snapshotMode === undefined ? {} : { snapshotMode }),
  token: null,
  cursor: null,
  done: 0,
  schemaVersion: 1,
  updatedAt: 0,
});
/** The next `allowed` puts into `parts` pass, then each throws QuotaExceededError as a full disk does. */
function fillDiskAfter(allowed: number) {
  const proto = IDBObjectStore.prototype as { put: (this: IDBObjectStore, ...args: unknown[]) => unknown };
  const original = proto.put;
  let left = allowed;
  proto.put = function put(this: IDBObjectStore, ...args: unknown[]) {
    if (this.name === 'parts' && left-- <= 0) throw new DOMException('Quota exceeded', 'QuotaExceededError');
    return original.apply(this, args);
  };
  return { restore: () => (proto.put = original) };
}
const ids = async (store: string) => (await db.all(store)).map((r) => r.id).sort();

describe('writing a pulled page', () => {
  it('replaces only the page key range of a snapshot and leaves later records readable', async () => {
    const connect = open();
    await db.seed(
      'parts',
      ['a', 'b', 'c', 'd', 'x', 'y'].map((id) => ({ id, code: id, _rev: '1' })),
    );
    const first = await applyPullPage(
      connect,
      target('parts'),
      start('parts', 'full'),
      page({
        changes: [put('a', '1'), put('c', '2')],
        range: { after: null, until: 'd' },
        checkpoint: 't1',
        total: 4,
      }),
    );
    // b and d were missing from the page: deleted; a unchanged (same rev): not rewritten; x, y untouched.
    expect(await ids('parts')).toEqual(['a', 'c', 'x', 'y']);
    expect(first.counts).toEqual({ fetch: 2, change: 1, delete: 2, unchanged: 1, skipped: 0 });
    // Deletes go first: a put may take a unique value a deleted record held.
    expect(first.changes.map((c) => [c.type, c.key])).toEqual([
      ['delete', 'b'],
      ['delete', 'd'],
      ['put', 'c'],
    ]);
    expect(first.checkpoint).toMatchObject({
      phase: 'snapshot',
      cursor: 'd',
      token: 't1',
      done: 2,
      total: 4,
    });
    const last = await applyPullPage(
      connect,
      target('parts'),
      first.checkpoint,
      page({
        changes: [put('e', '1'), put('y', '1')],
        range: { after: 'd', until: null },
        moreAvailable: false,
        checkpoint: 't2',
      }),
    );
    expect(await ids('parts')).toEqual(['a', 'c', 'e', 'y']);
    expect(last.checkpoint).toMatchObject({ phase: 'changes', cursor: null, token: 't2', done: 4 });
    expect(last.checkpoint.snapshotMode).toBeUndefined();
    expect((await readCheckpoints(connect)).get('parts')).toEqual(last.checkpoint);
  });

  it('decides each record of a large change page: unchanged, updated, created, deleted, never stored', async () => {
    const connect = open();
    const id = (prefix: string, i: number) => `${prefix}${String(i).padStart(4, '0')}`;
    await db.seed(
      'parts',
      Array.from({ length: 600 }, (_, i) => ({ id: id('p', i), code: id('p', i), v: 'stored', _rev: '1' })),
    );
    const changes: Change[] = [
      // Already at the pulled revision (this client's own push coming back): left alone.
      ...Array.from({ length: 20 }, (_, i) => put(id('p', i), '1', { v: 'pulled' })),
      // A dense run of updates, deletes of stored records and of records never stored.
      ...Array.from({ length: 40 }, (_, i) => put(id('p', 100 + i), '2', { v: 'pulled' })),
      ...Array.from({ length: 10 }, (_, i): Change => ({ id: id('p', 200 + i), rev: '2', op: 'delete' })),
      ...Array.from({ length: 10 }, (_, i): Change => ({ id: id('x', i), rev: '2', op: 'delete' })),
      // Created records, and changes spread over a range holding many other records.
      ...Array.from({ length: 30 }, (_, i) => put(id('n', i), '2', { v: 'pulled' })),
      ...Array.from({ length: 30 }, (_, i): Change => {
        const key = id('p', 300 + 10 * i);
        if (i % 3 === 2) return { id: key, rev: '2', op: 'delete' };
        return put(key, i % 3 === 0 ? '1' : '2', { v: 'pulled' });
      }),
    ];
    const applied = await applyPullPage(
      connect,
      target('parts'),
      start('parts'),
      page({ mode: 'changes', changes, moreAvailable: false, windowSize: 200 }),
    );
    expect(applied.counts).toEqual({ fetch: 140, change: 80, delete: 20, unchanged: 40, skipped: 0 });
    expect(applied.changes.filter((c) => c.type === 'delete').map((c) => c.key)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => id('p', 200 + i)),
      ...Array.from({ length: 10 }, (_, i) => id('p', 320 + 30 * i)),
    ]);
    const stored = new Map((await db.all('parts')).map((r) => [r.id, r]));
    expect(stored.size).toBe(600 - 20 + 30);
    expect(stored.get(id('p', 5))).toMatchObject({ v: 'stored', _rev: '1' });
    expect(stored.get(id('p', 120))).toMatchObject({ v: 'pulled', _rev: '2' });
    expect(stored.get(id('p', 570))).toMatchObject({ v: 'stored', _rev: '1' });
    expect(stored.get(id('p', 580))).toMatchObject({ v: 'pulled', _rev: '2' });
    expect(stored.has(id('p', 590))).toBe(false);
    expect(stored.get(id('p', 591))).toMatchObject({ v: 'stored', _rev: '1' });
    expect(stored.get(id('n', 29))).toMatchObject({ v: 'pulled', _rev: '2' });
    expect(stored.has(id('p', 205))).toBe(false);
  });

  it('never overwrites or deletes records with pending local writes, in any kind of page', async () => {
    const connect = open();
    await db.seed(
      'orders',
      ['o1', 'o2', 'o3'].map((id) => ({ id, v: 'server', _rev: '1' })),
    );
    await db.put('orders', { id: 'o1', v: 'local' });
    await db.put('orders', { id: 'o4', v: 'local new' });

    const changes = await applyPullPage(
      connect,
      target('orders'),
      start('orders'),
      page({
        mode: 'changes',
        changes: [put('o1', '2', { v: 'remote' }), { id: 'o4', rev: '9', op: 'delete' }],
      }),
    );
    expect(changes.counts.unchanged).toBe(2);
    const snapshot = await applyPullPage(
      connect,
      target('orders'),
      start('orders', 'full'),
      page({ changes: [put('o2', '2')], range: { after: null, until: null }, moreAvailable: false }),
    );
    expect(snapshot.changes.map((c) => [c.type, c.key])).toEqual([
      ['delete', 'o3'],
      ['put', 'o2'],
    ]);
    const red = await applyPullPage(
      connect,
      target('orders'),
      start('orders', 'red'),
      page({ changes: [put('o9', '1')], range: { after: null, until: 'z' } }),
    );
    expect(red.changes.map((c) => [c.type, c.key])).toEqual([
      ['delete', 'o2'],
      ['put', 'o9'],
    ]);
    expect(await db.get('orders', 'o1')).toEqual({ id: 'o1', v: 'local', _rev: '1' });
    expect(await db.get('orders', 'o4')).toEqual({ id: 'o4', v: 'local new' });
    expect(await ids('orders')).toEqual(['o1', 'o4', 'o9']);
  });

  it('writes nothing, checkpoint included, when the transaction fails (a full disk)', async () => {
    const connect = open();
    await applyPullPage(
      connect,
      target('parts'),
      start('parts', 'full'),
      page({ changes: [put('a', '1')], range: { after: null, until: 'a' }, checkpoint: 'good' }),
    );
    const before = (await readCheckpoints(connect)).get('parts')!;
    const disk = fillDiskAfter(1);
    try {
      await expect(
        applyPullPage(
          connect,
          target('parts'),
          before,
          page({
            changes: [put('b', '1'), put('c', '1')],
            range: { after: 'a', until: 'c' },
            checkpoint: 'bad',
          }),
        ),
      ).rejects.toMatchObject({ code: 'STORAGE_QUOTA_EXCEEDED' });
    } finally {
      disk.restore();
    }
    expect(await ids('parts')).toEqual(['a']);
    expect((await readCheckpoints(connect)).get('parts')).toMatchObject({ token: 'good', cursor: 'a' });
  });

  it('refuses a stale page that cannot follow the saved checkpoint, and writes nothing', async () => {
    const connect = open();
    const first = await applyPullPage(
      connect,
      target('parts'),
      start('parts', 'full'),
      page({ changes: [put('a', '1')], range: { after: null, until: 'a' }, checkpoint: 's1' }),
    );
    // A snapshot page that does not start at the saved cursor (a replay of the first page).
    const replayedFirst = page({
      changes: [put('a', '0')],
      range: { after: null, until: 'a' },
      checkpoint: 's1',
    });
    await expect(
      applyPullPage(connect, target('parts'), first.checkpoint, replayedFirst),
    ).rejects.toMatchObject({ code: 'INVALID_RESPONSE', problem: 'mismatch' });
    const done = await applyPullPage(
      connect,
      target('parts'),
      first.checkpoint,
      page({
        changes: [put('b', '1')],
        range: { after: 'a', until: null },
        moreAvailable: false,
        checkpoint: 'c1',
      }),
    );
    const next = await applyPullPage(
      connect,
      target('parts'),
      done.checkpoint,
      page({
        mode: 'changes',
        changes: [put('b', '2', { v: 'new' })],
        moreAvailable: false,
        checkpoint: 'c2',
      }),
    );
    expect(next.checkpoint.recentTokens).toEqual(['s1', 'c1']);
    // After the snapshot: a snapshot page, or a change page handing back a token already passed.
    for (const stale of [
      page({
        changes: [put('b', '1')],
        range: { after: 'a', until: null },
        moreAvailable: false,
        checkpoint: 'c1',
      }),
      page({ mode: 'changes', changes: [put('b', '1')], moreAvailable: false, checkpoint: 'c1' }),
    ]) {
      await expect(applyPullPage(connect, target('parts'), next.checkpoint, stale)).rejects.toMatchObject({
        code: 'INVALID_RESPONSE',
      });
    }
    expect(await db.get('parts', 'b')).toMatchObject({ v: 'new', _rev: '2' });
    expect((await readCheckpoints(connect)).get('parts')).toMatchObject({ token: 'c2' });
    // Nothing new: the server answers with the same checkpoint, which is fine.
    const same = await applyPullPage(
      connect,
      target('parts'),
      next.checkpoint,
      page({ mode: 'changes', changes: [], moreAvailable: false, checkpoint: 'c2' }),
    );
    expect(same.checkpoint.recentTokens).toEqual(['s1', 'c1']);
  });
});
