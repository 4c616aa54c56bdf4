import { compareKeys } from './compare-keys.js';
import type { LookupTerm } from './fold-text.js';
import { type LookupTokenOptions, termKeys, tokensHoldWhole, tokensMatch } from './lookup-tokens.js';

/** A filter as the plan reads it (the typed forms of `LookupFilter`). */
export interface FilterSpec {
  readonly index: string;
  readonly equals?: IDBValidKey;
  readonly between?: readonly [IDBValidKey, IDBValidKey];
  readonly above?: IDBValidKey;
  readonly atLeast?: IDBValidKey;
  readonly below?: IDBValidKey;
  readonly atMost?: IDBValidKey;
}

/** What a search asks for, resolved from the public query. */
export interface SearchSpec {
  readonly store: string;
  readonly tokenIndex: string | undefined;
  readonly terms: readonly LookupTerm[];
  readonly filters: readonly FilterSpec[];
  readonly where: ((value: unknown) => boolean) | undefined;
  readonly orderBy: { readonly index: string; readonly descending: boolean } | undefined;
  readonly tokens: LookupTokenOptions;
}

/** A condition an index answers: the entries of `index` under a key or in a range. */
export interface IndexCondition {
  readonly index: IDBIndex;
  /** A plain key (one index key: its entries come in primary-key order) or a range. */
  readonly query: IDBValidKey | IDBKeyRange;
  readonly single: boolean;
}

/** One rank of results: records that satisfy every condition and `matches`. */
export interface Tier {
  readonly conditions: readonly IndexCondition[];
  /** The whole test of a record for this rank (the conditions included). */
  readonly matches: (value: unknown) => boolean;
  /** Whether the conditions alone decide membership (no check in memory can reject a record). */
  readonly exactByIndex: boolean;
}

/** The order of records within a rank. */
export interface TierOrder {
  readonly index: IDBIndex;
  readonly descending: boolean;
  /** The record's key in the order index; `undefined` when it has none (then it is not listed). */
  readonly keyOf: (value: unknown) => IDBValidKey | undefined;
}

/** How a search reads a store: its ranks, in order, and the order within them. */
export interface LookupPlan {
  readonly store: IDBObjectStore;
  readonly tiers: readonly Tier[];
  /** Every match, whatever its rank (what `count` counts). */
  readonly all: Tier;
  readonly order: TierOrder | undefined;
}

/**
 * Resolves a search against the store's indexes in `tx`. With text there are two ranks: records that
 * hold every search word whole (or every CJK run whole), then the others that match.
 */
export function planLookup(tx: IDBTransaction, spec: SearchSpec): LookupPlan {
  const store = tx.objectStore(spec.store);
  const filterChecks: ((value: unknown) => boolean)[] = [];
  const filterConditions: IndexCondition[] = [];
  for (const filter of spec.filters) {
    const index = store.index(filter.index);
    const { query, single, test } = filterRange(filter);
    filterConditions.push({ index, query, single });
    const read = fieldReader(index);
    const multiEntry = index.multiEntry;
    filterChecks.push((value) => {
      const field = read(value);
      return multiEntry && Array.isArray(field)
        ? field.some((v) => safeTest(test, v))
        : safeTest(test, field);
    });
  }

  let order: TierOrder | undefined;
  if (spec.orderBy !== undefined) {
    const index = store.index(spec.orderBy.index);
    if (index.multiEntry) {
      throw new TypeError(`orderBy: index "${index.name}" is multiEntry; order by a single-valued index`);
    }
    const read = fieldReader(index);
    order = { index, descending: spec.orderBy.descending, keyOf: (value) => validKey(read(value)) };
  }

  const where = spec.where;
  const ordered = order;
  const base = (value: unknown): boolean =>
    filterChecks.every((check) => check(value)) &&
    (ordered === undefined || ordered.keyOf(value) !== undefined) &&
    (where === undefined || where(value) === true);

  if (spec.terms.length === 0 || spec.tokenIndex === undefined) {
    const tier: Tier = { conditions: filterConditions, matches: base, exactByIndex: where === undefined };
    return { store, tiers: [tier], all: tier, order };
  }

  const tokenIndex = store.index(spec.tokenIndex);
  const readTokens = fieldReader(tokenIndex);
  const tokensOf = (value: unknown): readonly unknown[] => {
    const field = readTokens(value);
    return Array.isArray(field) ? field : [field];
  };
  const keys = spec.terms.map((term) => termKeys(term, spec.tokens));
  const wholeConditions = [...new Set(keys.map((k) => k.wholeKey))].map(
    (key): IndexCondition => ({ index: tokenIndex, query: key, single: true }),
  );
  const prefixConditions = [...new Set(keys.flatMap((k) => k.prefixKeys))].map(
    (key): IndexCondition => ({ index: tokenIndex, query: key, single: true }),
  );
  const allWhole = (tokens: readonly unknown[]) => spec.terms.every((t) => tokensHoldWhole(tokens, t));
  const allMatch = (tokens: readonly unknown[]) => spec.terms.every((t) => tokensMatch(tokens, t));
  const exactByIndex = where === undefined && keys.every((k) => !k.needsCheck);

  const whole: Tier = {
    conditions: [...wholeConditions, ...filterConditions],
    matches: (value) => allWhole(tokensOf(value)) && base(value),
    exactByIndex: where === undefined,
  };
  const prefix: Tier = {
    conditions: [...prefixConditions, ...filterConditions],
    matches: (value) => {
      const tokens = tokensOf(value);
      return allMatch(tokens) && !allWhole(tokens) && base(value);
    },
    exactByIndex: false,
  };
  const all: Tier = {
    conditions: prefix.conditions,
    matches: (value) => allMatch(tokensOf(value)) && base(value),
    exactByIndex,
  };
  return { store, tiers: [whole, prefix], all, order };
}

/** The index query of a filter and the same test for a value in memory. */
function filterRange(filter: FilterSpec): {
  query: IDBValidKey | IDBKeyRange;
  single: boolean;
  test: (value: unknown) => boolean;
} {
  if (filter.equals !== undefined) {
    const key = filter.equals;
    return { query: key, single: true, test: (v) => compareKeys(v, key) === 0 };
  }
  let lower: IDBValidKey | undefined;
  let upper: IDBValidKey | undefined;
  let lowerOpen = false;
  let upperOpen = false;
  if (filter.between !== undefined) [lower, upper] = filter.between;
  if (filter.atLeast !== undefined) lower = filter.atLeast;
  if (filter.above !== undefined) {
    lower = filter.above;
    lowerOpen = true;
  }
  if (filter.atMost !== undefined) upper = filter.atMost;
  if (filter.below !== undefined) {
    upper = filter.below;
    upperOpen = true;
  }
  if (lower === undefined && upper === undefined) {
    throw new TypeError(`filter on "${filter.index}" needs equals, between, above, atLeast, below or atMost`);
  }
  const query =
    lower === undefined
      ? IDBKeyRange.upperBound(upper, upperOpen)
      : upper === undefined
        ? IDBKeyRange.lowerBound(lower, lowerOpen)
        : IDBKeyRange.bound(lower, upper, lowerOpen, upperOpen);
  const lo = lower;
  const hi = upper;
  return {
    query,
    single: false,
    test: (v) => {
      if (lo !== undefined) {
        const c = compareKeys(v, lo);
        if (c < 0 || (c === 0 && lowerOpen)) return false;
      }
      if (hi !== undefined) {
        const c = compareKeys(v, hi);
        if (c > 0 || (c === 0 && upperOpen)) return false;
      }
      return true;
    },
  };
}

function safeTest(test: (value: unknown) => boolean, value: unknown): boolean {
  try {
    return test(value);
  } catch {
    return false; // not a valid key: IndexedDB would not have indexed the record under it either
  }
}

/** `value` if IndexedDB accepts it as a key, else `undefined`. */
export function validKey(value: unknown): IDBValidKey | undefined {
  if (typeof value === 'number' && Number.isNaN(value)) return undefined;
  if (value instanceof Date && Number.isNaN(value.getTime())) return undefined;
  try {
    compareKeys(value, value);
    return value as IDBValidKey;
  } catch {
    return undefined;
  }
}

/** Reads the field an index is built on (a dotted key path) from a record. */
export function fieldReader(index: IDBIndex): (value: unknown) => unknown {
  const keyPath = index.keyPath;
  if (typeof keyPath !== 'string') {
    throw new TypeError(`Index "${index.name}" must have a single key path to be used in a lookup search`);
  }
  const parts = keyPath.split('.');
  return (value) => {
    let current: unknown = value;
    for (const part of parts) {
      if (current === null || typeof current !== 'object') return undefined;
      current = (current as Record<string, unknown>)[part];
    }
    return current;
  };
}
