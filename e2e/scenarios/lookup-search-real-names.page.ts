// searchLookup in a real engine on real place names (a sample of GeoNames' cities1000 handed over
// by the scenario), compared with the brute-force answer computed in the same page without any index.

import { type DatabaseHandle, lookupTokens, lookupWords, searchLookup } from '../../src/index.js';
import { bruteForceSearch } from '../../test/query/lookup-records.js';
import { PLACES_STORE, storePlaces } from '../../test/query/places-database.js';

interface Place {
  id: number;
  name: string;
  names: string[];
  country: string;
  population: number;
  tokens?: string[];
}

const STORE = PLACES_STORE;
let db: DatabaseHandle | undefined;
let places: Place[] = [];
const words = new Map<number, string[]>();

/** Stores the places with their tokens (`lookupTokens`, as an app's `fromServer` makes them). */
export async function load(sample: Place[]) {
  places = sample.map((p) => ({ ...p, tokens: lookupTokens([p.name, ...p.names]) }));
  for (const p of places) words.set(p.id, [p.name, ...p.names].flatMap(lookupWords));
  db = await storePlaces('lookup-search-real-names', places, 1000);
  return db.read([STORE], (tx) => tx.objectStore(STORE).count());
}

/** A query of the scenario: text, an optional country, population range and order. */
export interface RealQuery {
  readonly text: string;
  readonly country?: string;
  readonly above?: number;
  readonly below?: number;
  readonly order?: 'asc' | 'desc';
}

/** Every page of `query` through searchLookup (with the count), and the brute-force answer. */
export async function compare(query: RealQuery, pageSize: number) {
  if (!db) throw new Error('load first');
  const filter = [
    ...(query.country === undefined ? [] : [{ index: 'byCountry', equals: query.country }]),
    ...(query.above === undefined && query.below === undefined
      ? []
      : [
          {
            index: 'byPopulation',
            ...(query.above === undefined ? {} : { above: query.above }),
            ...(query.below === undefined ? {} : { below: query.below }),
          },
        ]),
  ];
  const base = {
    index: 'byToken' as never,
    text: query.text,
    pageSize,
    ...(filter.length === 0 ? {} : { filter: filter as never }),
    ...(query.order === undefined
      ? {}
      : { orderBy: { index: 'byPopulation' as never, direction: query.order } }),
  };
  const got: number[] = [];
  let total: number | undefined;
  let after: string | undefined;
  let pages = 0;
  do {
    const page = await searchLookup(db, STORE, {
      ...base,
      ...(after === undefined ? { count: true } : { after }),
    });
    if (pages === 0) total = page.total;
    got.push(...(page.keys as number[]));
    after = page.nextCursor;
    pages += 1;
  } while (after !== undefined && pages < 100);
  const want = bruteForceSearch(places, {
    text: query.text,
    textsOf: (p) => [p.name, ...p.names],
    wordsOf: (p) => words.get(p.id) ?? [],
    idOf: (p) => p.id,
    keep: (p) =>
      (query.country === undefined || p.country === query.country) &&
      (query.above === undefined || p.population > query.above) &&
      (query.below === undefined || p.population < query.below),
    ...(query.order === undefined
      ? {}
      : { orderOf: (p: Place) => p.population, descending: query.order === 'desc' }),
  }).map((p) => p.id);
  return { got, want, total, pages };
}
