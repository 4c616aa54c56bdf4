import { eachCursor, onResult, onResults } from './idb-steps.js';
import { candidateKeys, readValues } from './key-lists.js';
import type { Walk } from './read-lookup.js';

/**
 * Counts every match of the plan, exactly. When the index conditions alone decide (no `where`, no
 * search word checked in memory, and every record has a key in the order index), the count comes
 * from the indexes: one condition's `count()`, or the intersection of the conditions' primary keys.
 * Otherwise the candidates (that intersection, or the whole store without conditions) are read and
 * checked.
 */
export function countMatches(walk: Walk, done: (count: number) => void): void {
  const { plan } = walk;
  const { store, all } = plan;
  const conditions = all.conditions;
  orderCoversStore(walk, (covers) => {
    const exact = all.exactByIndex && covers;
    if (conditions.length === 0) {
      if (exact) onResult(walk, store.count(), done);
      else countByValues(walk, store, all.matches, done);
      return;
    }
    const only = conditions.length === 1 ? conditions[0] : undefined;
    if (exact && only !== undefined) {
      onResult(walk, only.index.count(only.query), done);
      return;
    }
    candidateKeys({ ...walk, store }, conditions, (candidates, intersected) => {
      if (exact && intersected) {
        done(candidates.length);
        return;
      }
      readValues(walk, store, candidates, (values) => {
        done(values.filter((value) => value !== undefined && all.matches(value)).length);
      });
    });
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
