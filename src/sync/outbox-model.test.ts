import { describe, expect, it } from 'vitest';
import type { OutboxEntry } from './internal-stores.js';
import { decideLocalWrite, type LocalWriteContext, selectBatch } from './outbox-model.js';

const ctx = (over: Partial<LocalWriteContext> = {}): LocalWriteContext => ({
  current: undefined,
  entries: [],
  sentUpTo: 0,
  revField: '_rev',
  now: 1000,
  ...over,
});

const entry = (mutationId: number, over: Partial<OutboxEntry> = {}): OutboxEntry => ({
  mutationId,
  store: 'work_orders',
  id: 'o1',
  op: 'put',
  value: { id: 'o1', title: `v${mutationId}` },
  baseRev: 'r1',
  base: { id: 'o1', title: 'server' },
  createdAt: 1,
  ...over,
});

const put = (title: string) => ({
  store: 'work_orders',
  id: 'o1',
  op: 'put' as const,
  value: { id: 'o1', title },
});
const del = { store: 'work_orders', id: 'o1', op: 'delete' as const };

describe('local writes entering the outbox', () => {
  it('bases the first write of a synced record on its stored revision and keeps the base value', () => {
    const d = decideLocalWrite(put('mine'), ctx({ current: { id: 'o1', title: 'server', _rev: 'r7' } }));
    expect(d.outbox).toEqual({
      kind: 'add',
      entry: {
        store: 'work_orders',
        id: 'o1',
        op: 'put',
        value: { id: 'o1', title: 'mine' },
        baseRev: 'r7',
        base: { id: 'o1', title: 'server' },
        createdAt: 1000,
      },
    });
    expect(d.record).toEqual({ id: 'o1', title: 'mine', _rev: 'r7' });
  });

  it('creates a record with no base and no revision field', () => {
    const d = decideLocalWrite(put('new'), ctx());
    expect(d.outbox).toMatchObject({ kind: 'add', entry: { baseRev: null, base: null } });
    expect(d.record).toEqual({ id: 'o1', title: 'new' });
  });

  it('coalesces writes into the last unsent entry, keeping its mutation id and base', () => {
    const pending = entry(5);
    const d = decideLocalWrite(put('again'), ctx({ entries: [pending], sentUpTo: 4 }));
    expect(d.outbox).toEqual({ kind: 'replace', entry: { ...pending, value: { id: 'o1', title: 'again' } } });
    const deleted = decideLocalWrite(del, ctx({ entries: [pending], sentUpTo: 4 }));
    expect(deleted.outbox).toEqual({
      kind: 'replace',
      entry: { ...(({ value: _v, ...rest }) => rest)(pending), op: 'delete' },
    });
    expect(deleted.record).toBeNull();
  });

  it('drops a never-sent create that is deleted again', () => {
    const create = entry(5, { baseRev: null, base: null });
    expect(decideLocalWrite(del, ctx({ entries: [create], sentUpTo: 4 })).outbox).toEqual({
      kind: 'remove',
      mutationId: 5,
    });
  });

  it('queues a write behind an already sent one, based on its value', () => {
    const sent = entry(5);
    const d = decideLocalWrite(put('later'), ctx({ entries: [sent], sentUpTo: 5, now: 2000 }));
    expect(d.outbox).toEqual({
      kind: 'add',
      entry: {
        store: 'work_orders',
        id: 'o1',
        op: 'put',
        value: { id: 'o1', title: 'later' },
        baseRev: null,
        base: { id: 'o1', title: 'v5' },
        dependsOn: 5,
        createdAt: 2000,
      },
    });
  });

  it('deletes a record that was never synced without queueing anything', () => {
    expect(decideLocalWrite(del, ctx({ current: { id: 'o1' } })).outbox).toEqual({ kind: 'none' });
  });

  it('queues the delete of a synced record with its base', () => {
    const d = decideLocalWrite(del, ctx({ current: { id: 'o1', title: 's', _rev: 'r2' } }));
    expect(d.outbox).toMatchObject({
      kind: 'add',
      entry: { op: 'delete', baseRev: 'r2', base: { id: 'o1', title: 's' } },
    });
    expect(d.outbox.kind === 'add' && 'value' in d.outbox.entry).toBe(false);
  });
});

describe('push batches', () => {
  it('takes the oldest entries up to the limit', () => {
    const entries = [entry(1), entry(2, { id: 'o2' }), entry(3, { id: 'o3' })];
    expect(selectBatch(entries, 2).map((e) => e.mutationId)).toEqual([1, 2]);
  });

  it('stops before a write that waits for the result of an earlier one', () => {
    const entries = [entry(1), entry(2, { id: 'o2' }), entry(3, { dependsOn: 1 }), entry(4, { id: 'o4' })];
    expect(selectBatch(entries, 10).map((e) => e.mutationId)).toEqual([1, 2]);
  });
});
