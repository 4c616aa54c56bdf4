import { eachCursor, onResult, onResults } from './idb-steps.js';
import { fullKeyLists, intersect, MATERIALIZE_LIMIT, readRecords, readValues } from './key-lists.js';
import type { IndexCondition } from './plan-lookup.js';
import type { Walk } from './read-lookup.js';

/**
 * Counts every match of the plan, exactly. When the index conditions alone decide (no `where`, no
 * search word checked in memory, and every record has a key in the order index), one condition is
 * its `count()`, and several are the intersection of their primary keys, unless one of them is
 * narrow: then its records are read and checked (as when something must be checked in memory).
 */
export function countMatches(walk: Walk, done: (count: number) => void): void {
  const { plan } = walk;
  const { store, all } = plan;
  const conditions = all.conditions;
  const read = { ...walk, store };
  const byValues = (values: readonly unknown[]) =>
    done(values.filter((value) => value !== undefined && all.matches(value)).length);
  orderCoversStore(walk, (covers) => {
    const exact = all.exactByIndex && covers;
    if (conditions.length === 0) {
      if (exact) onResult(walk, store.count(), done);
      else countByValues(walk, store, all.matches, done);
      return;
    }
    if (walk.keyListsOnly) {
      fullKeyLists(read, conditions, (lists) => {
        const keys = intersect(lists);
        if (exact) done(keys.length);
        else readValues(walk, store, keys, byValues);
      });
      return;
    }
    onResults(
      walk,
      conditions.map((c) => c.index.count(c.query)),
      (counts) => {
        const fewest = Math.min(...counts);
        if (exact && conditions.length === 1) {
          done(fewest);
          return;
        }
        if (fewest === 0) {
          done(0);
          return;
        }
        const narrowest = conditions[counts.indexOf(fewest)] as IndexCondition;
        if (fewest <= MATERIALIZE_LIMIT) {
          readRecords(read, narrowest, (records) => byValues(records.map((r) => r.value)));
          return;
        }
        fullKeyLists(read, conditions, (lists) => {
          const keys = intersect(lists);
          if (exact) done(keys.length);
          else readValues(walk, store, keys, byValues);
        });
      },
    );
  });
}

/** Whether every record has a key in the order index (always, without an order). */
function orderCoversStore(walk: Walk, done: (covers: boolean) => void): void {
  const order = walk.plan.order;
  if (order === undefined) {
    done(true);
    return;
  }
  onResults<number>(walk, [order.index.count(), walk.plan.store.count()], ([ordered, stored]) =>
    done(ordered === stored),
  );
}

/** Walks the store and counts the records that match. */
function countByValues(
  walk: Walk,
  store: IDBObjectStore,
  matches: (value: unknown) => boolean,
  done: (count: number) => void,
): void {
  let count = 0;
  eachCursor(
    walk,
    store.openCursor(),
    (cursor: IDBCursorWithValue) => {
      if (matches(cursor.value)) count += 1;
      cursor.continue();
    },
    () => done(count),
  );
}
