import { describe, expectTypeOf, it } from 'vitest';
import type { Change, Mutation, PullRequest, WsServerMessage } from './messages.js';
import { type Infer, int, literal, nullable, object, optional, string, union } from './schema.js';

describe('schema types', () => {
  it('makes optional schemas optional keys and keeps the rest required', () => {
    const schema = object({ a: string(), b: optional(int()), c: nullable(string()) });
    expectTypeOf<Infer<typeof schema>>().toEqualTypeOf<{
      a: string;
      b?: number | undefined;
      c: string | null;
    }>();
  });

  it('infers unions of literals and objects', () => {
    const schema = union([literal('a'), object({ k: literal(1) })]);
    expectTypeOf<Infer<typeof schema>>().toEqualTypeOf<'a' | { k: 1 }>();
  });

  it('gives the protocol messages their documented shapes', () => {
    expectTypeOf<PullRequest>().toEqualTypeOf<{
      collection: string;
      checkpoint: string | null;
      windowSize: number;
      filter?: Record<string, string | number | boolean | null> | undefined;
    }>();
    expectTypeOf<Change>().toEqualTypeOf<
      | { id: string; rev: string; op: 'put'; value: Record<string, unknown> }
      | { id: string; rev: string; op: 'delete' }
    >();
    expectTypeOf<Mutation['op']>().toEqualTypeOf<'put' | 'delete'>();
    expectTypeOf<Mutation['value']>().toEqualTypeOf<Record<string, unknown> | undefined>();
    expectTypeOf<Extract<WsServerMessage, { type: 'heartbeat' }>>().toEqualTypeOf<{
      type: 'heartbeat';
      at: number;
    }>();
  });
});
