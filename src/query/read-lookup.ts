import { compareKeys } from './compare-keys.js';
import { eachCursor, onResult, onResults, type Steps } from './idb-steps.js';
import {
  firstAfter,
  fullKeyLists,
  intersect,
  keyId,
  MATERIALIZE_LIMIT,
  readRecords,
  readValues,
  sortKeys,
} from './key-lists.js';
import type { IndexCondition, LookupPlan, Tier, TierOrder } from './plan-lookup.js';

/** Where a page ended: the rank, the key in the order index (when ordered) and the primary key. */
export interface TierPosition {
  readonly tier: number;
  readonly order?: IDBValidKey;
  readonly primaryKey: IDBValidKey;
}

/** A result: a record, its primary key and its key in the order index. */
export interface Hit {
  readonly primaryKey: IDBValidKey;
  readonly value: unknown;
  readonly order: IDBValidKey | undefined;
  readonly tier: number;
}

/** A plan and how to read it. */
export interface Walk extends Steps {
  readonly plan: LookupPlan;
  /** indexeddbshim: cursors over multiEntry indexes are out of order; everything is read by key lists. */
  readonly keyListsOnly: boolean;
}

/**
 * Reads one page of the plan: up to `pageSize` hits after `after`, rank by rank, and whether more
 * follow. Each rank is read from its narrowest condition:
 *
 * - no condition: the store (primary-key order) or the order index, with a cursor;
 * - one index key and primary-key order: that key's entries with a cursor, which come in primary-key
 *   order and resume right after the last page with `continuePrimaryKey`;
 * - otherwise each condition is counted: when the narrowest holds at most {@link MATERIALIZE_LIMIT}
 *   records, its entries are walked (one index key, primary-key order) or its records read at once
 *   and the matches sorted in memory; when every condition is broad, the page walks the order (the
 *   narrowest key's entries, or the order index) checking in memory, and after as many records as
 *   the conditions' key lists hold (at least {@link WALK_BUDGET}) goes on from the intersection of every condition's primary keys: sorted and read from
 *   right after the last page, or, in an index's order, found by walking that index's keys.
 * - indexeddbshim: every condition's primary keys, intersected, read and sorted in memory.
 *
 * Every record read is checked against the whole rank in memory (`matches`).
 */
export function readPage(
  walk: Walk,
  after: TierPosition | undefined,
  pageSize: number,
  done: (page: { hits: Hit[]; more: boolean }) => void,
): void {
  const hits: Hit[] = [];
  const first = after?.tier ?? 0;
  const next = (t: number): void => {
    if (t >= walk.plan.tiers.length || hits.length > pageSize) {
      done({ hits: hits.slice(0, pageSize), more: hits.length > pageSize });
      return;
    }
    const tier = walk.plan.tiers[t] as Tier;
    readTier(walk, tier, t, t === first ? after : undefined, pageSize + 1 - hits.length, (found) => {
      hits.push(...found);
      next(t + 1);
    });
  };
  next(first);
}

/** Up to `need` hits of one rank after `after`, in the rank's order. */
function readTier(
  walk: Walk,
  tier: Tier,
  t: number,
  after: TierPosition | undefined,
  need: number,
  done: (hits: Hit[]) => void,
): void {
  const { plan, keyListsOnly } = walk;
  const { order, store } = plan;
  const conditions = tier.conditions;
  const read = { walk, matches: tier.matches, t, after, need, done };
  if (conditions.length === 0) {
    if (order === undefined) {
      walkValues(
        read,
        store,
        after === undefined ? null : IDBKeyRange.lowerBound(after.primaryKey, true),
        'next',
        undefined,
      );
      return;
    }
    if (!keyListsOnly) {
      walkValues(read, order.index, null, direction(order), order);
      return;
    }
  }
  const only = conditions.length === 1 ? conditions[0] : undefined;
  if (!keyListsOnly && only !== undefined) {
    if (order === undefined && only.single) {
      walkValues(read, only.index, only.query, 'next', undefined);
      return;
    }
    if (order !== undefined && only.index.name === order.index.name) {
      walkValues(read, order.index, only.query, direction(order), order);
      return;
    }
  }

  const keyRead = { ...walk, store };
  if (keyListsOnly) {
    // indexeddbshim: every key of every condition (no cursor over a multiEntry index is trusted).
    if (conditions.length === 0)
      onResult(walk, store.getAllKeys(), (keys) => fromCandidates(read, tier, keys));
    else fullKeyLists(keyRead, conditions, (lists) => fromCandidates(read, tier, intersect(lists)));
    return;
  }
  // Each condition counted (cheap: no record is read) to find the narrowest.
  onResults(
    walk,
    conditions.map((c) => c.index.count(c.query)),
    (counts) => {
      const fewest = Math.min(...counts);
      if (fewest === 0) {
        done([]);
        return;
      }
      const narrowest = conditions[counts.indexOf(fewest)] as IndexCondition;
      if (fewest <= MATERIALIZE_LIMIT) {
        // One key in primary-key order: walk its entries, stopping with the page. Else read all
        // of the narrowest condition's records at once and sort the matches in memory.
        if (order === undefined && narrowest.single)
          walkValues(read, narrowest.index, narrowest.query, 'next', undefined);
        else readRecords(keyRead, narrowest, (records) => sortMatches(read, tier, records));
        return;
      }
      // Every condition is broad: many records match each. Walk the order (the narrowest index
      // key's entries, or the order index) checking everything in memory, for a bounded number of
      // records; a page not filled by then goes on from the intersection of every condition's keys.
      const fallBack = (hits: Hit[], last: TierPosition | undefined) => {
        const rest: TierRead = {
          ...read,
          after: last ?? after,
          need: need - hits.length,
          done: (more) => done([...hits, ...more]),
        };
        fullKeyLists(keyRead, conditions, (all) => fromCandidates(rest, tier, intersect(all)));
      };
      // As many records as the key lists hold: walking never costs much more than reading them would.
      const keysToRead = counts.reduce((a, b) => a + b, 0);
      const limit = Math.max(WALK_BUDGET.least, WALK_BUDGET.perKey * keysToRead);
      const budget = { limit, exceeded: fallBack };
      if (order !== undefined) {
        const range = conditions.find((c) => c.index.name === order.index.name)?.query;
        walkValues(read, order.index, range ?? null, direction(order), order, budget);
        return;
      }
      const singles = conditions.map((c, i) => [c, counts[i] as number] as const).filter(([c]) => c.single);
      if (singles.length === 0) {
        fallBack([], undefined);
        return;
      }
      const [driver] = singles.reduce((a, b) => (b[1] < a[1] ? b : a));
      walkValues(read, driver.index, driver.query, 'next', undefined, budget);
    },
  );
}

/** The records that match, after `after`, sorted in the rank's order: the first `need` of them. */
function sortMatches(
  read: TierRead,
  tier: Tier,
  records: readonly { primaryKey: IDBValidKey; value: unknown }[],
): void {
  const { walk, t, after, need, done } = read;
  const order = walk.plan.order;
  const hits: Hit[] = [];
  for (const { primaryKey, value } of records) {
    if (value === undefined || !tier.matches(value)) continue;
    const hit: Hit = { primaryKey, value, order: order?.keyOf(value), tier: t };
    if (after === undefined || compareHits(order, hit, after) > 0) hits.push(hit);
  }
  hits.sort((a, b) => compareHits(order, a, b));
  done(hits.slice(0, need));
}

/**
 * Up to `need` hits among `candidates` (primary keys that may match): few are read and sorted in
 * memory; many are sorted by primary key and read from right after `after`, or, in an index's order,
 * found by walking that index's keys.
 */
function fromCandidates(read: TierRead, tier: Tier, candidates: IDBValidKey[]): void {
  const { walk, after } = read;
  const { order, store } = walk.plan;
  if (walk.keyListsOnly || candidates.length <= MATERIALIZE_LIMIT) {
    readValues(walk, store, candidates, (values) =>
      sortMatches(
        read,
        tier,
        candidates.map((primaryKey, i) => ({ primaryKey, value: values[i] })),
      ),
    );
    return;
  }
  if (order === undefined) {
    const sorted = sortKeys(candidates);
    const from = after === undefined ? 0 : firstAfter(sorted, after.primaryKey);
    readInTurn(read, sorted.slice(from));
    return;
  }
  const members = new Set(candidates.map(keyId));
  // The order index's own range, when a condition is one, bounds the walk.
  const range = tier.conditions.find((c) => c.index.name === order.index.name)?.query;
  walkKeys(read, order, range ?? null, (pk) => members.has(keyId(pk)));
}

/** Reads candidates (in result order) `need` at a time, keeping those that match, until `need` matched. */
function readInTurn(read: TierRead, keys: readonly IDBValidKey[]): void {
  const { walk, matches, t, need, done } = read;
  const hits: Hit[] = [];
  const next = (from: number): void => {
    if (from >= keys.length || hits.length >= need) {
      done(hits);
      return;
    }
    const slice = keys.slice(from, from + need - hits.length);
    readValues(walk, walk.plan.store, slice, (values) => {
      slice.forEach((primaryKey, i) => {
        const value = values[i];
        if (hits.length < need && value !== undefined && matches(value)) {
          hits.push({ primaryKey, value, order: undefined, tier: t });
        }
      });
      next(from + slice.length);
    });
  };
  next(0);
}

function direction(order: TierOrder): IDBCursorDirection {
  return order.descending ? 'prev' : 'next';
}

/** The order of hits within a rank: the order index's key (then the primary key), or the primary key. */
function compareHits(
  order: TierOrder | undefined,
  a: { readonly order?: IDBValidKey | undefined; readonly primaryKey: IDBValidKey },
  b: { readonly order?: IDBValidKey | undefined; readonly primaryKey: IDBValidKey },
): number {
  if (order === undefined) return compareKeys(a.primaryKey, b.primaryKey);
  const c = compareKeys(a.order, b.order) || compareKeys(a.primaryKey, b.primaryKey);
  return order.descending ? -c : c;
}

/**
 * The fewest records a walk over broad conditions reads before it turns to their key lists; it reads
 * up to as many as those lists hold (reading a key costs about as much as stepping a cursor).
 */
export const WALK_BUDGET = { least: 1000, perKey: 1 };

/** A bound on a walk: after `limit` records, `exceeded` takes over with the hits so far. */
interface WalkBudget {
  readonly limit: number;
  readonly exceeded: (hits: Hit[], last: TierPosition | undefined) => void;
}

interface TierRead {
  readonly walk: Walk;
  readonly matches: (value: unknown) => boolean;
  readonly t: number;
  readonly after: TierPosition | undefined;
  readonly need: number;
  readonly done: (hits: Hit[]) => void;
}

/**
 * Walks records with a value cursor over `source` (the store from a key, one index key, or the order
 * index and a range of it) in its order, from right after `after`, keeping those that match.
 */
function walkValues(
  read: TierRead,
  source: IDBObjectStore | IDBIndex,
  query: IDBValidKey | IDBKeyRange | null,
  dir: IDBCursorDirection,
  order: TierOrder | undefined,
  budget?: WalkBudget,
): void {
  const { walk, matches, t, after, need, done } = read;
  const hits: Hit[] = [];
  const isIndex = 'objectStore' in source;
  const seek = seeker(after, order);
  let examined = 0;
  let last: TierPosition | undefined;
  eachCursor(
    walk,
    source.openCursor(query, dir),
    (cursor: IDBCursorWithValue) => {
      if (isIndex && seek(cursor)) return;
      if (budget !== undefined && examined >= budget.limit) {
        // The last record examined is the one before this: the page goes on after it.
        budget.exceeded(hits, last);
        return;
      }
      examined += 1;
      last = {
        tier: t,
        primaryKey: cursor.primaryKey,
        ...(order === undefined ? {} : { order: cursor.key }),
      };
      const value = cursor.value as unknown;
      if (matches(value)) {
        hits.push({
          primaryKey: cursor.primaryKey,
          value,
          order: order === undefined ? undefined : cursor.key,
          tier: t,
        });
        if (hits.length >= need) {
          done(hits);
          return;
        }
      }
      cursor.continue();
    },
    () => done(hits),
  );
}

/**
 * Moves an index cursor past `after`: returns true when it moved it (the caller waits for the next
 * entry), false when the cursor is on an entry after `after`. The first entry before `after` seeks
 * there in one step (`continuePrimaryKey`), whatever the direction.
 */
function seeker(
  after: TierPosition | undefined,
  order: TierOrder | undefined,
): (cursor: IDBCursor) => boolean {
  let sought = false;
  return (cursor) => {
    if (after === undefined) return false;
    const target = order === undefined ? cursor.key : (after.order as IDBValidKey);
    const here = { order: cursor.key, primaryKey: cursor.primaryKey };
    const c = compareHits(order, here, { order: target, primaryKey: after.primaryKey });
    if (c > 0) return false;
    if (c < 0 && !sought) {
      sought = true;
      cursor.continuePrimaryKey(target, after.primaryKey);
    } else {
      cursor.continue();
    }
    return true;
  };
}

/**
 * Walks the order index's keys from right after `after`, reads the records whose primary key is a
 * candidate, `need` at a time, and keeps those that match.
 */
function walkKeys(
  read: TierRead,
  order: TierOrder,
  range: IDBValidKey | IDBKeyRange | null,
  isCandidate: (primaryKey: IDBValidKey) => boolean,
): void {
  const { walk, matches, t, after, need, done } = read;
  const store = walk.plan.store;
  const hits: Hit[] = [];
  const batch: { primaryKey: IDBValidKey; order: IDBValidKey }[] = [];
  const seek = seeker(after, order);

  const flush = (cursor: IDBCursor | null) => {
    const taken = batch.splice(0);
    readValues(
      walk,
      store,
      taken.map((b) => b.primaryKey),
      (values) => {
        taken.forEach((b, i) => {
          const value = values[i];
          if (hits.length < need && value !== undefined && matches(value)) {
            hits.push({ primaryKey: b.primaryKey, value, order: b.order, tier: t });
          }
        });
        if (cursor === null || hits.length >= need) done(hits);
        else cursor.continue();
      },
    );
  };

  eachCursor(
    walk,
    order.index.openKeyCursor(range, direction(order)),
    (cursor: IDBCursor) => {
      if (seek(cursor)) return;
      if (isCandidate(cursor.primaryKey)) {
        batch.push({ primaryKey: cursor.primaryKey, order: cursor.key });
        if (batch.length >= need - hits.length) {
          flush(cursor);
          return;
        }
      }
      cursor.continue();
    },
    () => flush(null),
  );
}
