import { afterEach, describe, expect, it } from 'vitest';
import {
  deleteTestDatabase,
  openTestDatabase,
  type TestDatabase,
  uniqueDbName,
} from '../../test/sync/test-database.js';
import type { Change, PullResponse } from '../protocol/messages.js';
import { type AppliedPage, applyPullPage, type PageTarget } from './apply-pull-page.js';
import { listConflicts } from './conflict-log.js';
import type { CheckpointRecord } from './internal-stores.js';
import { listSkipped } from './skipped-log.js';
import { connectionSource } from './sync-database.js';

// The rule (docs/bad-records.md): the server is the source of truth; a pulled record takes its unique
// values, a stale holder leaves the store for the skipped log until its own change arrives, a value
// held twice on the server is stored once (the record pulled last keeps it), and an unpushed local
// write keeps its value (the pulled record is skipped and the clash is in the conflict log).

let db: TestDatabase;
afterEach(async () => {
  await db.close();
  await deleteTestDatabase(db.name);
});

const unique = { 'by-code': { keyPath: 'code', unique: true } };
function open() {
  db = openTestDatabase(uniqueDbName('clash'), {}, [
    {
      version: 1,
      stores: {
        parts: { keyPath: 'id', kind: 'lookup', indexes: unique },
        orders: { keyPath: 'id', kind: 'transactional', indexes: unique },
        tagged: {
          keyPath: 'id',
          kind: 'lookup',
          indexes: { 'by-tag': { keyPath: 'tags', unique: true, multiEntry: true } },
        },
      },
    },
  ]);
  return connectionSource(db);
}

const target = (store: string, over: Partial<PageTarget> = {}): PageTarget => ({
  store,
  keyPath: 'id',
  revField: '_rev',
  kind: store === 'orders' ? 'transactional' : 'lookup',
  schemaVersion: 1,
  ...over,
});
const put = (id: string, rev: string, code: unknown): Change => ({ id, rev, op: 'put', value: { code } });
const changes = (list: Change[], over: Partial<PullResponse> = {}): PullResponse => ({
  protocolVersion: 1,
  collection: 'parts',
  mode: 'changes',
  changes: list,
  checkpoint: `t${Math.random()}`,
  moreAvailable: false,
  windowSize: 10,
  ...over,
});
const incremental = (collection: string): CheckpointRecord => ({
  collection,
  phase: 'changes',
  token: 't0',
  cursor: null,
  done: 0,
  schemaVersion: 1,
  updatedAt: 0,
});
/** `id → code` of a store. */
const codes = async (store: string) =>
  Object.fromEntries((await db.all(store)).map((r) => [r.id, r.code ?? r.tags]));
const skipped = async () =>
  (await listSkipped(connectionSource(db))).map((e) => [e.collection, e.id, e.reason, e.heldBy]);

/** Applies pages one after the other from an incremental checkpoint, like one pull. */
async function pull(store: string, pages: PullResponse[], over: Partial<PageTarget> = {}) {
  const connect = connectionSource(db);
  let checkpoint = incremental(store);
  const applied: AppliedPage[] = [];
  for (const [i, p] of pages.entries()) {
    const page = { ...p, collection: store, moreAvailable: i < pages.length - 1 };
    const result = await applyPullPage(connect, target(store, over), checkpoint, page);
    checkpoint = result.checkpoint;
    applied.push(result);
  }
  return applied;
}

describe('unique index clashes of pulled records', () => {
  it('stores a swap of two unique values made within one page', async () => {
    open();
    await db.seed('parts', [
      { id: 'a', code: 'x', _rev: '1' },
      { id: 'b', code: 'y', _rev: '1' },
    ]);
    const [page] = await pull('parts', [changes([put('a', '2', 'y'), put('b', '2', 'x')])]);
    expect(await codes('parts')).toEqual({ a: 'y', b: 'x' });
    expect(page!.counts).toMatchObject({ change: 2, skipped: 0 });
    expect(await skipped()).toEqual([]);
  });

  it('stores a swap across pages: the stale holder waits in the skipped log for its own change', async () => {
    open();
    await db.seed('parts', [
      { id: 'a', code: 'x', _rev: '1' },
      { id: 'b', code: 'y', _rev: '1' },
    ]);
    const [first] = await pull('parts', [changes([put('a', '2', 'y')]), changes([put('b', '2', 'x')])]);
    // After the first page: b (stale, still holding y) was evicted.
    expect(first!.counts).toMatchObject({ change: 1, skipped: 1 });
    expect(first!.changes.map((c) => [c.type, c.key])).toEqual([
      ['delete', 'b'],
      ['put', 'a'],
    ]);
    expect(await codes('parts')).toEqual({ a: 'y', b: 'x' });
    expect(await skipped()).toEqual([]);
  });

  it('stores a chain of moves (a→b→c→a) within one page and across pages', async () => {
    open();
    const seed = [
      { id: 'a', code: 'A', _rev: '1' },
      { id: 'b', code: 'B', _rev: '1' },
      { id: 'c', code: 'C', _rev: '1' },
    ];
    await db.seed('parts', seed);
    await pull('parts', [changes([put('a', '2', 'B'), put('b', '2', 'C'), put('c', '2', 'A')])]);
    expect(await codes('parts')).toEqual({ a: 'B', b: 'C', c: 'A' });

    await pull('parts', [
      changes([put('a', '3', 'C')]),
      changes([put('c', '3', 'B')]),
      changes([put('b', '3', 'A')]),
    ]);
    expect(await codes('parts')).toEqual({ a: 'C', b: 'A', c: 'B' });
    expect(await skipped()).toEqual([]);
  });

  it('an update keeping its unique value still loses it to a later change of the page taking it (and wins over an earlier one)', async () => {
    open();
    await db.seed('parts', [
      { id: 'a', code: 'x', _rev: '1' },
      { id: 'b', code: 'y', _rev: '1' },
    ]);
    // a keeps x (its stored copy holds it: no index read), then c, later in the page, takes x.
    const [first] = await pull('parts', [
      changes([{ id: 'a', rev: '2', op: 'put', value: { code: 'x', v: 2 } }, put('c', '2', 'x')]),
    ]);
    expect(await codes('parts')).toEqual({ b: 'y', c: 'x' });
    expect(first!.counts).toMatchObject({ change: 1, skipped: 1 });
    expect(await skipped()).toEqual([['parts', 'a', 'unique-clash', 'c']]);
    // d takes y first, then b (keeping y) comes later in the page: b keeps it.
    await pull('parts', [
      changes([put('d', '3', 'y'), { id: 'b', rev: '3', op: 'put', value: { code: 'y', v: 3 } }]),
    ]);
    expect(await codes('parts')).toEqual({ b: 'y', c: 'x' });
    expect((await skipped()).map((e) => e[1]).sort()).toEqual(['a', 'd']);
  });

  it('stores a value the server holds twice once, and keeps the other record in the skipped log', async () => {
    open();
    await db.seed('parts', [{ id: 'a', code: 'x', _rev: '1' }]);
    // b takes x while a keeps it on the server; in the next page c and d both take z.
    await pull('parts', [changes([put('b', '1', 'x')]), changes([put('c', '1', 'z'), put('d', '1', 'z')])]);
    expect(await codes('parts')).toEqual({ b: 'x', d: 'z' });
    expect(await skipped()).toEqual([
      ['parts', 'a', 'unique-clash', 'b'],
      ['parts', 'c', 'unique-clash', 'd'],
    ]);
    // Retried by every pull: once d moves on, c is stored; a stays out while b holds x.
    const [last] = await pull('parts', [changes([put('d', '2', 'w')])]);
    expect(await codes('parts')).toEqual({ b: 'x', c: 'z', d: 'w' });
    expect(await skipped()).toEqual([['parts', 'a', 'unique-clash', 'b']]);
    expect(last!.skippedChanged).toBe(true);
    // A record the server deletes leaves the log.
    await pull('parts', [changes([{ id: 'a', rev: '2', op: 'delete' }])]);
    expect(await skipped()).toEqual([]);
  });

  // Regression (fuzz seed 1315626679, path 389): with three records on one value, the first one
  // logged `heldBy` the second, which lost the value too.
  it('names the record that keeps the value as heldBy when three records take it', async () => {
    open();
    await db.seed('parts', [{ id: 'd', code: 'x', _rev: '1' }]);
    // In one page a, c and d take x: d, the newest change, keeps it (a named c, which lost it too).
    await pull('parts', [changes([put('a', '1', 'x'), put('c', '1', 'x'), put('d', '2', 'x')])]);
    expect(await codes('parts')).toEqual({ d: 'x' });
    expect(await skipped()).toEqual([
      ['parts', 'a', 'unique-clash', 'd'],
      ['parts', 'c', 'unique-clash', 'd'],
    ]);
    await pull('parts', [changes([])]); // a pull retries both, against d
    expect(await skipped()).toEqual([
      ['parts', 'a', 'unique-clash', 'd'],
      ['parts', 'c', 'unique-clash', 'd'],
    ]);
  });

  it('keeps an unpushed local write that holds the value, logs the clash as a conflict and skips the pulled record', async () => {
    open();
    await db.seed('orders', [{ id: 'o1', code: 'k1', _rev: '1' }]);
    await db.put('orders', { id: 'o2', code: 'k9' }); // local, not pushed yet
    const [page] = await pull('orders', [changes([put('o1', '2', 'k9')], { collection: 'orders' })]);

    expect(await codes('orders')).toEqual({ o2: 'k9' });
    expect(await db.count('_outbox' as never)).toBe(1);
    expect(await skipped()).toEqual([['orders', 'o1', 'unique-clash', 'o2']]);
    expect(page!.conflicts).toHaveLength(1);
    const [conflict] = await listConflicts(connectionSource(db));
    expect(conflict).toMatchObject({
      store: 'orders',
      id: 'o1',
      rule: 'unique-index',
      winner: 'client',
      heldBy: 'o2',
      local: { id: 'o2', code: 'k9' },
      remote: { id: 'o1', code: 'k9' },
      base: { id: 'o1', code: 'k1' },
      result: null,
      conflictingFields: ['code'],
      remoteRev: '2',
    });
    // The next pull retries it (no second conflict entry): still held.
    await pull('orders', [changes([], { collection: 'orders' })]);
    expect(await listConflicts(connectionSource(db))).toHaveLength(1);
    // Once the local record gives the value up, the next pull stores the server's record.
    await db.put('orders', { id: 'o2', code: 'k2' });
    await pull('orders', [changes([], { collection: 'orders' })]);
    expect(await codes('orders')).toEqual({ o1: 'k9', o2: 'k2' });
    expect(await skipped()).toEqual([]);
  });

  it('resolves clashes on each value of a multi-entry unique index', async () => {
    open();
    await db.seed('tagged', [
      { id: 'a', tags: ['red', 'blue'], _rev: '1' },
      { id: 'b', tags: ['green'], _rev: '1' },
    ]);
    await pull('tagged', [
      changes([
        { id: 'b', rev: '2', op: 'put', value: { tags: ['green', 'blue'] } },
        { id: 'a', rev: '2', op: 'put', value: { tags: ['red', 'red'] } },
      ]),
    ]);
    expect(await codes('tagged')).toEqual({ a: ['red', 'red'], b: ['green', 'blue'] });
    expect(await skipped()).toEqual([]);
  });

  it('does not index values that are no valid keys (no clash on missing or invalid values)', async () => {
    open();
    await db.seed('parts', [{ id: 'a', code: null, _rev: '1' }]);
    await pull('parts', [
      changes([put('b', '1', null), put('c', '1', { nested: true }), put('d', '1', true)]),
    ]);
    expect(Object.keys(await codes('parts')).sort()).toEqual(['a', 'b', 'c', 'd']);
  });
});
