import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIdbSyncError } from '../errors/idb-sync-error.js';

import type { Conflict } from './conflict-strategy.js';
import { resolveConflict } from './resolve-conflict.js';
import { threeWayMerge } from './three-way-merge.js';

interface Order {
  id: string;
  title?: string;
  status?: string;
  qty?: number;
  updatedAt?: string | number | Date;
}

const conflict = (local: Order | null, remote: Order | null, base: Order | null): Conflict<Order> => ({
  store: 'work_orders',
  id: 'o1',
  local,
  remote,
  base,
  baseRev: base === null ? null : '3',
  remoteRev: '5',
});

describe('built-in conflict strategies', () => {
  const base = { id: 'o1', title: 'base', status: 'open', qty: 1 };
  const local = { id: 'o1', title: 'mine', status: 'open', qty: 2 };
  const remote = { id: 'o1', title: 'theirs', status: 'closed', qty: 1 };

  it('server-wins keeps the server value and names the rule', async () => {
    const r = await resolveConflict('server-wins', conflict(local, remote, base));
    expect(r).toEqual({ value: remote, rule: 'server-wins', winner: 'server' });
  });

  it('client-wins keeps the local value, including a local delete', async () => {
    expect((await resolveConflict('client-wins', conflict(local, remote, base))).value).toBe(local);
    const del = await resolveConflict('client-wins', conflict(null, remote, base));
    expect(del).toEqual({ value: null, rule: 'client-wins', winner: 'client' });
  });

  it('last-write-wins picks the newer timestamp whatever its representation', async () => {
    const lww = { kind: 'last-write-wins', field: 'updatedAt' } as const;
    const newerLocal = await resolveConflict(
      lww,
      conflict(
        { ...local, updatedAt: '2026-01-02T00:00:00Z' },
        { ...remote, updatedAt: Date.UTC(2026, 0, 1) },
        base,
      ),
    );
    expect(newerLocal.rule).toBe('last-write-wins:client-newer');
    expect(newerLocal.value?.title).toBe('mine');
    const newerRemote = await resolveConflict(
      lww,
      conflict(
        { ...local, updatedAt: new Date(Date.UTC(2026, 0, 1)) },
        { ...remote, updatedAt: '2026-01-03' },
        base,
      ),
    );
    expect(newerRemote.rule).toBe('last-write-wins:server-newer');
    expect(newerRemote.value?.title).toBe('theirs');
  });

  it('last-write-wins lets the tie rule decide equal or missing timestamps and deletes', async () => {
    const same = { updatedAt: 100 };
    const tieClient = { kind: 'last-write-wins', field: 'updatedAt', tie: 'client' } as const;
    const r1 = await resolveConflict(
      tieClient,
      conflict({ ...local, ...same }, { ...remote, ...same }, base),
    );
    expect(r1).toMatchObject({ rule: 'last-write-wins:tie-client', winner: 'client' });
    const r2 = await resolveConflict(
      { kind: 'last-write-wins', field: 'updatedAt' },
      conflict(null, { ...remote, updatedAt: 1 }, base),
    );
    expect(r2).toMatchObject({ rule: 'last-write-wins:tie-server', value: { title: 'theirs' } });
  });

  it('merge combines fields changed on one side each without a conflict', async () => {
    const r = await resolveConflict(
      { kind: 'merge' },
      conflict({ ...base, qty: 7 }, { ...base, status: 'closed' }, base),
    );
    expect(r).toEqual({
      value: { id: 'o1', title: 'base', status: 'closed', qty: 7 },
      rule: 'merge',
      winner: 'merged',
      conflictingFields: [],
    });
  });

  it('merge lets the tie rule pick fields changed on both sides to different values', async () => {
    const c = conflict(local, { ...remote, qty: 9 }, base);
    const server = await resolveConflict({ kind: 'merge' }, c);
    expect(server.value).toEqual({ id: 'o1', title: 'theirs', status: 'closed', qty: 9 });
    expect(server).toMatchObject({ rule: 'merge:tie-server', conflictingFields: ['qty', 'title'] });
    const client = await resolveConflict({ kind: 'merge', tie: 'client' }, c);
    expect(client.value).toEqual({ id: 'o1', title: 'mine', status: 'closed', qty: 2 });
    expect(client.rule).toBe('merge:tie-client');
  });

  it('merge keeps a field removed on one side removed, and falls back to the tie rule on deletes', async () => {
    const { title: _dropped, ...withoutTitle } = base;
    const r = await resolveConflict({ kind: 'merge' }, conflict(withoutTitle, { ...base, qty: 4 }, base));
    expect(r.value).toEqual({ id: 'o1', status: 'open', qty: 4 });
    const del = await resolveConflict({ kind: 'merge', tie: 'client' }, conflict(null, remote, base));
    expect(del).toEqual({ value: null, rule: 'merge:tie-client', winner: 'client' });
  });
});

describe('custom conflict resolvers', () => {
  it('awaits an async resolver and names it in the rule', async () => {
    async function longestTitle(c: Conflict<Order>): Promise<Order | null> {
      await Promise.resolve();
      return (c.local?.title?.length ?? 0) >= (c.remote?.title?.length ?? 0) ? c.local : c.remote;
    }
    const r = await resolveConflict(
      longestTitle,
      conflict({ id: 'o1', title: 'longer' }, { id: 'o1', title: 'x' }, null),
    );
    expect(r).toEqual({
      value: { id: 'o1', title: 'longer' },
      rule: 'custom:longestTitle',
      winner: 'custom',
    });
  });

  it('wraps a throwing resolver in a typed error naming the callback and keeping the cause', async () => {
    const boom = new Error('resolver bug');
    const strategy = { kind: 'custom', name: 'pickOne', resolve: () => Promise.reject(boom) } as const;
    const error = await resolveConflict(strategy, conflict(null, null, null)).catch((e: unknown) => e);
    expect(isIdbSyncError(error, 'CONFLICT_RESOLVER_FAILED')).toBe(true);
    expect(error).toMatchObject({ resolver: 'pickOne', store: 'work_orders', cause: boom });
    expect(String((error as Error).message)).toContain('pickOne');
  });

  it('rejects a resolver that returns undefined instead of a record or null', async () => {
    const sloppy = (() => undefined) as unknown as () => Order;
    const error = await resolveConflict(sloppy, conflict(null, null, null)).catch((e: unknown) => e);
    expect(isIdbSyncError(error, 'CONFLICT_RESOLVER_FAILED')).toBe(true);
  });
});

describe('three-way merge properties', () => {
  const record = fc.dictionary(
    fc.constantFrom('a', 'b', 'c', 'd'),
    fc.oneof(fc.integer({ min: 0, max: 3 }), fc.string({ maxLength: 2 })),
  );

  it('takes the other side unchanged when one side did not change', () => {
    fc.assert(
      fc.property(record, record, fc.constantFrom('server', 'client'), (base, other, tie) => {
        expect(threeWayMerge(base, base, other, tie)).toEqual({ value: other, conflictingFields: [] });
        expect(threeWayMerge(base, other, base, tie)).toEqual({ value: other, conflictingFields: [] });
      }),
    );
  });

  it('is symmetric when the sides and the tie rule are swapped together', () => {
    fc.assert(
      fc.property(record, record, record, (base, local, remote) => {
        expect(threeWayMerge(base, local, remote, 'server')).toEqual(
          threeWayMerge(base, remote, local, 'client'),
        );
      }),
    );
  });
});
