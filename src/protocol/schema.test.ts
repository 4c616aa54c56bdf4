import { describe, expect, it } from 'vitest';
import {
  array,
  discriminatedUnion,
  enumOf,
  int,
  literal,
  nullable,
  number,
  object,
  optional,
  record,
  refine,
  type SafeParseResult,
  SchemaError,
  string,
  union,
  unknown,
} from './schema.js';

const issuesOf = (result: SafeParseResult<unknown>) => (result.success ? [] : result.error.issues);

describe('the protocol validator', () => {
  it('strips unknown fields, keeps optional ones only when present, and accepts null where nullable', () => {
    const schema = object({ a: string(), b: optional(int()), c: nullable(string()) });
    expect(schema.parse({ a: 'x', c: null, extra: 1 })).toEqual({ a: 'x', c: null });
    expect(schema.parse({ a: 'x', b: 2, c: 'y' })).toEqual({ a: 'x', b: 2, c: 'y' });
    expect(Object.keys(schema.parse({ a: 'x', c: null }))).toEqual(['a', 'c']);
  });

  it('reports every problem with its path, without quoting values', () => {
    const schema = object({ items: array(object({ id: string({ min: 1 }), n: int({ min: 0 }) })) });
    const result = schema.safeParse({
      items: [
        { id: 'ok', n: 1 },
        { id: '', n: -1 },
        { id: 7, n: 1.5 },
      ],
    });
    expect(issuesOf(result)).toEqual([
      { path: ['items', 1, 'id'], code: 'too_small', message: 'Too small: expected at least 1 characters' },
      { path: ['items', 1, 'n'], code: 'too_small', message: 'Too small: expected at least 0' },
      { path: ['items', 2, 'id'], code: 'invalid_type', message: 'Invalid input: expected string' },
      { path: ['items', 2, 'n'], code: 'invalid_type', message: 'Invalid input: expected int' },
    ]);
    expect(
      JSON.stringify(issuesOf(schema.safeParse({ items: [{ id: 'secret-value', n: 'x' }] }))),
    ).not.toContain('secret-value');
  });

  it('refuses what is not the declared type', () => {
    expect(object({}).safeParse([]).success).toBe(false);
    expect(object({}).safeParse(null).success).toBe(false);
    expect(record(unknown()).safeParse([]).success).toBe(false);
    expect(array(unknown()).safeParse({}).success).toBe(false);
    expect(number().safeParse(Number.NaN).success).toBe(false);
    expect(int().safeParse(2 ** 53).success).toBe(false);
    expect(int({ max: 3 }).safeParse(4).success).toBe(false);
    expect(string({ max: 2 }).safeParse('abc').success).toBe(false);
    expect(string({ pattern: /^[a-z]+$/ }).safeParse('aB').success).toBe(false);
    expect(enumOf(['a', 'b']).safeParse('c').success).toBe(false);
    expect(literal('a').safeParse('b').success).toBe(false);
    expect(array(unknown(), { max: 1 }).safeParse([1, 2]).success).toBe(false);
    expect(union([string(), int()]).safeParse(true).success).toBe(false);
    expect(union([string(), int()]).safeParse(3).success).toBe(true);
  });

  it('checks a record in place: the object given is returned, not a copy (a pulled page exists once)', () => {
    const value = { title: 'Boiler', n: 3 };
    expect(record(unknown()).parse(value)).toBe(value);
    const page = object({ changes: array(object({ value: record(unknown()) })) });
    expect(page.parse({ changes: [{ value }] }).changes[0]?.value).toBe(value);
    expect(Object.isFrozen(record(unknown()).parse(Object.freeze({ a: 1 })))).toBe(true);
  });

  it('picks the option of a tagged union by its tag, and names the tag when it is unknown', () => {
    const schema = discriminatedUnion('op', [
      object({ op: literal('put'), value: record(unknown()) }),
      object({ op: literal('delete') }),
    ]);
    expect(schema.parse({ op: 'delete', value: { n: 1 } })).toEqual({ op: 'delete' });
    expect(issuesOf(schema.safeParse({ op: 'put' }))).toMatchObject([{ path: ['value'] }]);
    expect(issuesOf(schema.safeParse({ op: 'nope' }))).toMatchObject([
      { path: ['op'], code: 'invalid_union' },
    ]);
    expect(schema.safeParse('put').success).toBe(false);
  });

  it('runs a refinement only on a value that passed the inner schema', () => {
    let calls = 0;
    const increasing = refine(
      array(int()),
      (ns) => {
        calls += 1;
        return ns.every((n, i) => i === 0 || n > ns[i - 1]!);
      },
      'must increase',
    );
    expect(increasing.safeParse([1, 2]).success).toBe(true);
    expect(issuesOf(increasing.safeParse([2, 1]))).toEqual([
      { path: [], code: 'custom', message: 'must increase' },
    ]);
    expect(increasing.safeParse(['x']).success).toBe(false);
    expect(calls).toBe(2);
  });

  it('throws a SchemaError with the issues from parse', () => {
    let error: unknown;
    try {
      object({ a: string() }).parse({ a: 1 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SchemaError);
    expect((error as SchemaError).issues).toHaveLength(1);
    expect((error as SchemaError).message).toBe('a: Invalid input: expected string');
  });
});
