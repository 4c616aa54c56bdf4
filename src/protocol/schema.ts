// A small validator for the protocol's messages: the handful of shapes the wire protocol uses
// (objects, strings, integers, enums, arrays, records, unions tagged by a field), with zod's calling
// convention (`schema.parse(value)`, `schema.safeParse(value)` → `{ success, data | error.issues }`)
// and its semantics (unknown object fields are stripped, not refused; every problem is reported
// with its path), except that a `record` is returned as given (checked in place, not copied). It
// exists because the sync client validates every answer in the browser: a general-purpose
// validator cost the client about 8 KB min+gzip (zod/mini), this one well under 2.

/** One problem found in a value. Never quotes the value (it may be record contents). */
export interface SchemaIssue {
  /** Where: object keys and array indexes from the root (`['changes', 2, 'rev']`). */
  readonly path: (string | number)[];
  /** What kind: `invalid_type`, `invalid_value`, `too_small`, `too_big`, `invalid_format`, `custom`. */
  readonly code: string;
  /** What is wrong, for people. */
  readonly message: string;
}

/** The outcome of {@link Schema.safeParse}. */
export type SafeParseResult<T> =
  | { readonly success: true; readonly data: T; readonly error?: undefined }
  | { readonly success: false; readonly data?: undefined; readonly error: SchemaError };

/** What {@link Schema.parse} throws: every problem found, with its path. */
export class SchemaError extends Error {
  /** Always `SchemaError`. */
  override readonly name = 'SchemaError';
  constructor(
    /** Every problem found, with its path. */
    readonly issues: readonly SchemaIssue[],
  ) {
    super(issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  }
}

/** Anything that validates like a schema (a {@link Schema}, or a zod schema). */
export interface Validator<T> {
  /** The value as the schema accepts it, or the issues found. */
  safeParse(value: unknown):
    | { readonly success: true; readonly data: T }
    | {
        readonly success: false;
        readonly error: {
          readonly issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[];
        };
      };
}

/** Checks `value` at `path`; pushes issues and returns the output (meaningless when issues were added). */
type Check<T> = (value: unknown, path: (string | number)[], issues: SchemaIssue[]) => T;

/** A validator of values of type `T`. */
export class Schema<T> {
  /** @internal */
  readonly check: Check<T>;
  /** @internal True for {@link optional} schemas: the object key may be absent. */
  readonly optional: boolean;
  /** @internal The fields of an {@link object} schema, the value of a {@link literal} one. */
  readonly meta: { readonly shape?: Shape; readonly literal?: unknown };

  constructor(check: Check<T>, optional = false, meta: Schema<T>['meta'] = {}) {
    this.check = check;
    this.optional = optional;
    this.meta = meta;
  }

  /** The value (objects without their unknown fields), or a {@link SchemaError}. */
  safeParse(value: unknown): SafeParseResult<T> {
    const issues: SchemaIssue[] = [];
    const data = this.check(value, [], issues);
    return issues.length === 0 ? { success: true, data } : { success: false, error: new SchemaError(issues) };
  }

  /** The value (objects without their unknown fields); throws a {@link SchemaError}. */
  parse(value: unknown): T {
    const result = this.safeParse(value);
    if (!result.success) throw result.error;
    return result.data;
  }
}

/** The type a schema accepts. */
export type Infer<S> = S extends Schema<infer T> ? T : never;

const issue = (issues: SchemaIssue[], path: (string | number)[], code: string, message: string): void => {
  issues.push({ path: [...path], code, message });
};

const typed = /* @__NO_SIDE_EFFECTS__ */ <T>(expected: string, is: (value: unknown) => boolean): Schema<T> =>
  new Schema((value, path, issues) => {
    if (!is(value)) issue(issues, path, 'invalid_type', `Invalid input: expected ${expected}`);
    return value as T;
  });

/** A string, optionally with a length range and a pattern. */
/* @__NO_SIDE_EFFECTS__ */
export function string(rules: { min?: number; max?: number; pattern?: RegExp } = {}): Schema<string> {
  const base = typed<string>('string', (v) => typeof v === 'string');
  return new Schema((value, path, issues) => {
    const before = issues.length;
    const s = base.check(value, path, issues);
    if (issues.length > before) return s;
    if (rules.min !== undefined && s.length < rules.min) {
      issue(issues, path, 'too_small', `Too small: expected at least ${rules.min} characters`);
    }
    if (rules.max !== undefined && s.length > rules.max) {
      issue(issues, path, 'too_big', `Too big: expected at most ${rules.max} characters`);
    }
    if (rules.pattern && !rules.pattern.test(s))
      issue(issues, path, 'invalid_format', 'Invalid string: does not match the pattern');
    return s;
  });
}

/** A safe integer, optionally within `min..max`. */
/* @__NO_SIDE_EFFECTS__ */
export function int(rules: { min?: number; max?: number } = {}): Schema<number> {
  return new Schema((value, path, issues) => {
    if (!Number.isSafeInteger(value)) {
      issue(issues, path, 'invalid_type', 'Invalid input: expected int');
      return value as number;
    }
    const n = value as number;
    if (rules.min !== undefined && n < rules.min)
      issue(issues, path, 'too_small', `Too small: expected at least ${rules.min}`);
    if (rules.max !== undefined && n > rules.max)
      issue(issues, path, 'too_big', `Too big: expected at most ${rules.max}`);
    return n;
  });
}

/** A finite number. */
export const number = /* @__NO_SIDE_EFFECTS__ */ (): Schema<number> =>
  typed('number', (v) => typeof v === 'number' && Number.isFinite(v));
/** `true` or `false`. */
export const boolean = /* @__NO_SIDE_EFFECTS__ */ (): Schema<boolean> =>
  typed('boolean', (v) => typeof v === 'boolean');
/** `null`. */
export const nullValue = /* @__NO_SIDE_EFFECTS__ */ (): Schema<null> => typed('null', (v) => v === null);
/** Anything. */
export const unknown = /* @__NO_SIDE_EFFECTS__ */ (): Schema<unknown> => new Schema((value) => value);

/** One of the given strings. */
/* @__NO_SIDE_EFFECTS__ */
export function enumOf<const V extends readonly string[]>(values: V): Schema<V[number]> {
  return new Schema((value, path, issues) => {
    if (!values.includes(value as string)) {
      issue(
        issues,
        path,
        'invalid_value',
        `Invalid option: expected one of ${values.map((v) => `"${v}"`).join('|')}`,
      );
    }
    return value as V[number];
  });
}

/** Exactly `expected`. */
/* @__NO_SIDE_EFFECTS__ */
export function literal<const V extends string | number | boolean>(expected: V): Schema<V> {
  return new Schema(
    (value, path, issues) => {
      if (value !== expected)
        issue(issues, path, 'invalid_value', `Invalid input: expected ${JSON.stringify(expected)}`);
      return value as V;
    },
    false,
    { literal: expected },
  );
}

/** An array of `item`s, at most `max` of them. */
/* @__NO_SIDE_EFFECTS__ */
export function array<T>(item: Schema<T>, rules: { max?: number } = {}): Schema<T[]> {
  return new Schema((value, path, issues) => {
    if (!Array.isArray(value)) {
      issue(issues, path, 'invalid_type', 'Invalid input: expected array');
      return [];
    }
    if (rules.max !== undefined && value.length > rules.max) {
      issue(issues, path, 'too_big', `Too big: expected at most ${rules.max} items`);
    }
    return value.map((element, i) => item.check(element, [...path, i], issues));
  });
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** An object with string keys and `item` values; the object given is returned, checked in place. */
/* @__NO_SIDE_EFFECTS__ */
export function record<T>(item: Schema<T>): Schema<Record<string, T>> {
  return new Schema((value, path, issues) => {
    if (!isPlainObject(value)) {
      issue(issues, path, 'invalid_type', 'Invalid input: expected record');
      return {};
    }
    // Checked in place, not copied: a pull page's records would otherwise exist twice while it is held.
    for (const [key, element] of Object.entries(value)) {
      const out = item.check(element, [...path, key], issues);
      if (out !== element) value[key] = out;
    }
    return value as Record<string, T>;
  });
}

type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = {
  [K in keyof S]: S[K] extends { readonly optional: true } ? K : never;
}[keyof S];
type Flatten<T> = { [K in keyof T]: T[K] } & {};
/** The value type of an object schema: optional schemas make optional keys. */
export type ObjectOf<S extends Shape> = Flatten<
  { [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> }
>;

/** An object with the given fields; unknown fields are stripped from the output, not refused. */
/* @__NO_SIDE_EFFECTS__ */
export function object<S extends Shape>(shape: S): Schema<ObjectOf<S>> {
  const entries = Object.entries(shape);
  return new Schema(
    (value, path, issues) => {
      if (!isPlainObject(value)) {
        issue(issues, path, 'invalid_type', 'Invalid input: expected object');
        return {} as ObjectOf<S>;
      }
      const out: Record<string, unknown> = {};
      for (const [key, field] of entries) {
        if (!(key in value) && field.optional) continue;
        out[key] = field.check(value[key], [...path, key], issues);
      }
      return out as ObjectOf<S>;
    },
    false,
    { shape },
  );
}

/** `inner`, or absent / `undefined` (an object key may be missing). */
/* @__NO_SIDE_EFFECTS__ */
export function optional<T>(inner: Schema<T>): Schema<T | undefined> & { readonly optional: true } {
  return new Schema<T | undefined>(
    (value, path, issues) => (value === undefined ? undefined : inner.check(value, path, issues)),
    true,
  ) as Schema<T | undefined> & { readonly optional: true };
}

/** `inner`, or `null`. */
/* @__NO_SIDE_EFFECTS__ */
export function nullable<T>(inner: Schema<T>): Schema<T | null> {
  return new Schema((value, path, issues) => (value === null ? null : inner.check(value, path, issues)));
}

/** The first of `options` that accepts the value. */
/* @__NO_SIDE_EFFECTS__ */
export function union<const O extends readonly Schema<unknown>[]>(options: O): Schema<Infer<O[number]>> {
  return new Schema((value, path, issues) => {
    for (const option of options) {
      const found: SchemaIssue[] = [];
      const out = option.check(value, path, found);
      if (found.length === 0) return out as Infer<O[number]>;
    }
    issue(issues, path, 'invalid_union', 'Invalid input: matches none of the allowed shapes');
    return value as Infer<O[number]>;
  });
}

/** Objects told apart by the literal field `key` (`type`, `op`, `status`…) of each option. */
/* @__NO_SIDE_EFFECTS__ */
export function discriminatedUnion<const O extends readonly Schema<object>[]>(
  key: string,
  options: O,
): Schema<Infer<O[number]>> {
  const tags = options.map((option) => option.meta.shape?.[key]?.meta.literal as string);
  return new Schema((value, path, issues) => {
    const tag = isPlainObject(value) ? value[key] : undefined;
    const i = tags.indexOf(tag as string);
    if (i < 0) {
      issue(
        issues,
        [...path, key],
        'invalid_union',
        `Invalid input: expected ${key} to be one of ${tags.map((t) => `"${t}"`).join('|')}`,
      );
      return value as Infer<O[number]>;
    }
    return options[i]!.check(value, path, issues) as Infer<O[number]>;
  });
}

/** `inner`, also passing `test`. */
/* @__NO_SIDE_EFFECTS__ */
export function refine<T>(inner: Schema<T>, test: (value: T) => boolean, message: string): Schema<T> {
  return new Schema((value, path, issues) => {
    const before = issues.length;
    const out = inner.check(value, path, issues);
    if (issues.length === before && !test(out)) issue(issues, path, 'custom', message);
    return out;
  });
}
