import { compareKeys } from './compare-keys.js';
import type { LookupPosition } from './lookup-cursor.js';

/** What one page of a lookup search reads, resolved from the query. */
export interface ScanPlan {
  readonly store: string;
  /** The multiEntry token index; required when `words` is not empty. */
  readonly tokenIndex: string | undefined;
  /** Every search word (folded); each must match the start of one of the record's tokens. */
  readonly words: readonly string[];
  /** The words stored as tokens themselves, usable to pick index entries. */
  readonly indexedWords: readonly string[];
  readonly filter: { readonly index: string; readonly equals: IDBValidKey } | undefined;
  readonly after: LookupPosition | undefined;
  readonly pageSize: number;
  /** The app's in-memory condition, checked after the words and the filter. */
  readonly where?: (value: unknown) => boolean;
}

/** One page: up to `pageSize` matches in primary-key order, and whether more follow. */
export interface ScannedPage {
  readonly items: unknown[];
  readonly keys: IDBValidKey[];
  readonly last: LookupPosition | undefined;
  readonly more: boolean;
}

type Driver = { readonly source: IDBIndex; readonly key: IDBValidKey } | undefined;

/**
 * Reads one page in `tx`. Every request is issued from request callbacks (never after awaiting
 * something else), so the transaction stays active on Safari and indexeddbshim.
 *
 * The records come from the narrowest candidate range: one index key per indexed search word and
 * the filter's key, each counted first (the rarest wins), or the whole store when there is no
 * candidate. Records are always taken in primary-key order, so a page resumes right after the last
 * primary key, whichever range the previous page used: an index key's entries are walked with a
 * cursor that seeks past it (the key list is read instead under indexeddbshim).
 * The other words and the filter are checked in memory on each record.
 */
export function scanPage(tx: IDBTransaction, plan: ScanPlan): Promise<ScannedPage> {
  return new Promise<ScannedPage>((resolve, reject) => {
    const store = tx.objectStore(plan.store);
    const tokenIndex = plan.tokenIndex === undefined ? undefined : store.index(plan.tokenIndex);
    const filterIndex = plan.filter === undefined ? undefined : store.index(plan.filter.index);
    const matcher = recordMatcher(plan, tokenIndex, filterIndex);
    // What the app's `where` throws rejects the page and stops the walk.
    let failed = false;
    const matches = (value: unknown): boolean => {
      if (failed) return false;
      try {
        return matcher(value);
      } catch (error) {
        failed = true;
        reject(error);
        return false;
      }
    };
    const candidates: { source: IDBIndex; key: IDBValidKey }[] = [];
    if (tokenIndex !== undefined) {
      for (const word of new Set(plan.indexedWords)) candidates.push({ source: tokenIndex, key: word });
    }
    if (filterIndex !== undefined && plan.filter !== undefined) {
      candidates.push({ source: filterIndex, key: plan.filter.equals });
    }
    const fail = (request: IDBRequest) => () => reject(request.error);
    const keyListOnly = isIndexedDbShim(tx);

    if (candidates.length <= 1) {
      walk(candidates[0]);
      return;
    }
    const counts: number[] = [];
    let answered = 0;
    candidates.forEach((candidate, i) => {
      const request = candidate.source.count(candidate.key);
      request.onerror = fail(request);
      request.onsuccess = () => {
        counts[i] = request.result;
        answered += 1;
        if (answered < candidates.length) return;
        const rarest = counts.indexOf(Math.min(...counts));
        if (counts[rarest] === 0) resolve({ items: [], keys: [], last: undefined, more: false });
        else walk(candidates[rarest]);
      };
    });

    function walk(driver: Driver): void {
      if (driver === undefined) walkStore();
      else if (keyListOnly) walkIndexKeys(driver.source, driver.key);
      else walkIndex(driver.source, driver.key);
    }

    /**
     * One index key, with a cursor: its entries come in primary-key order (as the specification
     * says), so the page seeks straight past the previous page's last record (`continuePrimaryKey`)
     * and reads only what it returns, plus the non-matching records in between.
     */
    function walkIndex(source: IDBIndex, key: IDBValidKey): void {
      const page = new PageBuilder(plan.pageSize, key);
      const after = plan.after;
      let sought = false;
      const request = source.openCursor(IDBKeyRange.only(key));
      request.onerror = fail(request);
      request.onsuccess = () => {
        const cursor = request.result;
        if (failed) return;
        if (cursor === null) {
          resolve(page.result(false));
          return;
        }
        if (after !== undefined) {
          const order = compareKeys(cursor.primaryKey, after.primaryKey);
          if (order < 0 && !sought) {
            sought = true;
            cursor.continuePrimaryKey(key, after.primaryKey);
            return;
          }
          if (order <= 0) {
            cursor.continue();
            return;
          }
        }
        if (page.offer(cursor.primaryKey, cursor.value, matches)) cursor.continue();
        else resolve(page.result(true));
      };
    }

    /** No candidate range: the store in key order, from right after the cursor. */
    function walkStore(): void {
      const after = plan.after;
      const page = new PageBuilder(plan.pageSize, undefined);
      const request = store.openCursor(
        after === undefined ? null : IDBKeyRange.lowerBound(after.primaryKey, true),
      );
      request.onerror = fail(request);
      request.onsuccess = () => {
        const cursor = request.result;
        if (failed) return;
        if (cursor !== null && page.offer(cursor.primaryKey, cursor.value, matches)) cursor.continue();
        else resolve(page.result(cursor !== null));
      };
    }

    /**
     * One index key, where cursors cannot be trusted (indexeddbshim): its primary keys
     * (`getAllKeys`, sorted here because the polyfill does not return a multiEntry index's entries in
     * primary-key order, and its key-range queries on such an index are unreliable: only plain keys
     * are used), then the records in batches of `get`s. Costs the whole key list on every page.
     */
    function walkIndexKeys(source: IDBIndex, key: IDBValidKey): void {
      const page = new PageBuilder(plan.pageSize, key);
      const request = source.getAllKeys(key);
      request.onerror = fail(request);
      request.onsuccess = () => {
        const after = plan.after;
        let keys = [...new Set(request.result)].sort(compareKeys);
        if (after !== undefined) keys = keys.filter((k) => compareKeys(k, after.primaryKey) > 0);
        let next = 0;
        const batch = () => {
          const slice = keys.slice(next, next + plan.pageSize + 1);
          next += slice.length;
          if (slice.length === 0) {
            resolve(page.result(false));
            return;
          }
          const values: unknown[] = [];
          let answered = 0;
          slice.forEach((primaryKey, i) => {
            const get = store.get(primaryKey);
            get.onerror = fail(get);
            get.onsuccess = () => {
              values[i] = get.result;
              answered += 1;
              if (answered < slice.length) return;
              for (const [j, k] of slice.entries()) {
                if (!page.offer(k, values[j], matches)) {
                  resolve(page.result(true));
                  return;
                }
              }
              if (failed) return;
              batch();
            };
          });
        };
        batch();
      };
    }
  });
}

/**
 * Whether `tx` belongs to indexeddbshim, the SQLite polyfill (used by the tests on Node and by old
 * WebViews), whose cursors over a multiEntry index do not follow primary-key order. Its objects
 * carry the polyfill's own fields; its transactions have `__storeHandles`.
 */
function isIndexedDbShim(tx: IDBTransaction): boolean {
  return Object.hasOwn(tx, '__storeHandles');
}

/** Collects up to `pageSize` matches, and notices the first match beyond them. */
class PageBuilder {
  readonly items: unknown[] = [];
  readonly keys: IDBValidKey[] = [];
  #last: LookupPosition | undefined;
  #more = false;
  constructor(
    readonly pageSize: number,
    readonly indexKey: IDBValidKey | undefined,
  ) {}

  /** Adds a record if it matches; false once the page is full and a further match was seen. */
  offer(primaryKey: IDBValidKey, value: unknown, matches: (value: unknown) => boolean): boolean {
    if (value === undefined || !matches(value)) return true;
    if (this.items.length === this.pageSize) {
      this.#more = true;
      return false;
    }
    this.items.push(value);
    this.keys.push(primaryKey);
    this.#last = this.indexKey === undefined ? { primaryKey } : { primaryKey, indexKey: this.indexKey };
    return true;
  }

  result(stopped: boolean): ScannedPage {
    return { items: this.items, keys: this.keys, last: this.#last, more: stopped && this.#more };
  }
}

/** A check of one record against every search word and the filter. */
function recordMatcher(
  plan: ScanPlan,
  tokenIndex: IDBIndex | undefined,
  filterIndex: IDBIndex | undefined,
): (value: unknown) => boolean {
  const tokensOf = tokenIndex === undefined ? undefined : fieldReader(tokenIndex);
  const filterOf = filterIndex === undefined ? undefined : fieldReader(filterIndex);
  const equals = plan.filter?.equals;
  const multiEntry = filterIndex?.multiEntry === true;
  return (value) => {
    if (filterOf !== undefined) {
      const field = filterOf(value);
      const hit =
        multiEntry && Array.isArray(field) ? field.some((v) => sameKey(v, equals)) : sameKey(field, equals);
      if (!hit) return false;
    }
    if (plan.words.length > 0 && tokensOf !== undefined) {
      const field = tokensOf(value);
      const tokens = Array.isArray(field) ? field : [field];
      if (!plan.words.every((word) => tokens.some((t) => typeof t === 'string' && t.startsWith(word)))) {
        return false;
      }
    }
    return plan.where === undefined || plan.where(value) === true;
  };
}

function sameKey(a: unknown, b: unknown): boolean {
  try {
    return compareKeys(a, b) === 0;
  } catch {
    return false; // not a valid key: IndexedDB would not have indexed the record under it either
  }
}

/** Reads the field an index is built on (a dotted key path) from a record. */
function fieldReader(index: IDBIndex): (value: unknown) => unknown {
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
