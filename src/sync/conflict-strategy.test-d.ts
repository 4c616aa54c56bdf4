import { describe, expectTypeOf, it } from 'vitest';
import type { Conflict, ConflictStrategy, LastWriteWinsStrategy } from './conflict-strategy.js';
import type { RunSummary } from './run-summary.js';
import type { SyncClient } from './sync-client.js';

interface Order {
  id: string;
  title: string;
  updatedAt: string;
}

describe('conflict strategy types', () => {
  it('checks the last-write-wins field against the record type when it is known', () => {
    const ok: LastWriteWinsStrategy<Order> = { kind: 'last-write-wins', field: 'updatedAt' };
    expectTypeOf(ok.field).toEqualTypeOf<'id' | 'title' | 'updatedAt'>();
    // @ts-expect-error not a field of Order
    const wrong: LastWriteWinsStrategy<Order> = { kind: 'last-write-wins', field: 'modifiedAt' };
    expectTypeOf(wrong).not.toBeNever();
    const untyped: ConflictStrategy = { kind: 'last-write-wins', field: 'anything' };
    expectTypeOf(untyped).toMatchTypeOf<ConflictStrategy>();
  });

  it('types custom resolvers with the record type', () => {
    const resolver: ConflictStrategy<Order> = async (c) => {
      expectTypeOf(c).toEqualTypeOf<Conflict<Order>>();
      expectTypeOf(c.local).toEqualTypeOf<Order | null>();
      return c.remote;
    };
    expectTypeOf(resolver).toMatchTypeOf<ConflictStrategy<Order>>();
    // @ts-expect-error a resolver returns a record or null
    const bad: ConflictStrategy<Order> = async () => 42;
    expectTypeOf(bad).not.toBeNever();
  });

  it('resolves sync() with a run summary', () => {
    expectTypeOf<SyncClient['sync']>().returns.toEqualTypeOf<Promise<RunSummary>>();
  });
});
