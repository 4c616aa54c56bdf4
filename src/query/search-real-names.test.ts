import type { DBSchema } from 'idb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type City, loadCities, sampleCities } from '../../test/query/geonames-cities.js';
import { bruteForceSearch, deleteTestDatabase, uniqueDbName } from '../../test/query/lookup-records.js';
import { type DatabaseHandle, defineDatabase } from '../db/define-database.js';
import type { LookupQuery } from './lookup-query.js';
import { lookupTokens, lookupWords } from './lookup-tokens.js';
import { WALK_BUDGET } from './read-lookup.js';
import { searchLookup } from './search-lookup.js';

// Real place names (GeoNames cities1000: 135,233 places in many scripts, see
// test/query/geonames-cities.ts), searched and compared with a brute-force answer computed without
// any index. All of them on fake-indexeddb; an evenly spread sample on indexeddbshim (SQLite), which
// is far too slow to load them all within CI's time. Loaded once for the whole file.

interface CityRecord extends City {
  tokens: string[];
}

interface CitySchema extends DBSchema {
  cities: {
    key: number;
    value: CityRecord;
    indexes: { byToken: string; byCountry: string; byPopulation: number };
  };
}

const FULL = globalThis.__IDB_BACKEND__ === 'fake-indexeddb';
/** Cities the cases below name, kept in the sample too. */
const NAMED = [
  'Łódź',
  'Tromsø',
  'Diyarbakır',
  'Gießen',
  'Wulkaprodersdorf',
  'Ærøskøbing',
  'Santiago',
  'Köln',
];

let name: string;
let db: DatabaseHandle<CitySchema>;
let records: CityRecord[];
const words = new Map<number, string[]>();

beforeAll(async () => {
  const cities = FULL ? loadCities() : sampleCities(3000, NAMED);
  records = cities.map((c) => ({ ...c, tokens: lookupTokens([c.name, ...c.names]) }));
  for (const r of records) words.set(r.id, [r.name, ...r.names].flatMap(lookupWords));
  name = uniqueDbName('cities');
  db = defineDatabase<CitySchema>({
    name,
    versions: [
      {
        version: 1,
        stores: {
          cities: {
            keyPath: 'id',
            keyType: 'number',
            kind: 'lookup',
            indexes: {
              byToken: { keyPath: 'tokens', multiEntry: true },
              byCountry: { keyPath: 'country' },
              byPopulation: { keyPath: 'population' },
            },
          },
        },
      },
    ],
  });
  const batch = FULL ? 5000 : 500;
  for (let start = 0; start < records.length; start += batch) {
    const page = records.slice(start, start + batch);
    await db.write(
      ['cities'],
      (tx) => {
        const store = tx.objectStore('cities');
        for (const record of page) void store.put(record);
      },
      { localOnly: true }, // as a pull would write them
    );
  }
}, 300_000);
afterAll(async () => {
  await db?.close();
  if (name !== undefined) await deleteTestDatabase(name);
});

type Query = Omit<LookupQuery<CitySchema, 'cities'>, 'after' | 'index' | 'count'>;

/** The brute-force answer of a query: its text, its filters as plain predicates, its order. */
function expected(query: Query, keep?: (c: CityRecord) => boolean): number[] {
  const order = query.orderBy;
  return bruteForceSearch(records, {
    text: query.text ?? '',
    textsOf: (c) => [c.name, ...c.names],
    wordsOf: (c) => words.get(c.id) ?? [],
    idOf: (c) => c.id,
    ...(keep === undefined ? {} : { keep }),
    ...(order === undefined
      ? {}
      : {
          orderOf: (c: CityRecord) => (order.index === 'byPopulation' ? c.population : c.country),
          descending: order.direction === 'desc',
        }),
  }).map((c) => c.id);
}

/** Checks the first `pages` pages and the count of a query against the brute-force answer. */
async function check(query: Query, keep: ((c: CityRecord) => boolean) | undefined, pages = 3) {
  const want = expected(query, keep);
  const pageSize = query.pageSize ?? 20;
  const base = { ...query, index: 'byToken', pageSize } as const;
  let after: string | undefined;
  const got: number[] = [];
  for (let p = 0; p < pages; p++) {
    const page =
      p === 0
        ? await searchLookup(db, 'cities', { ...base, count: true })
        : await searchLookup(db, 'cities', { ...base, after: after! });
    if (p === 0) expect(page.total).toBe(want.length);
    expect(page.keys).toEqual(page.items.map((c) => c.id));
    got.push(...page.keys);
    after = page.nextCursor;
    if (after === undefined) break;
  }
  expect(got).toEqual(want.slice(0, got.length));
  if (after === undefined) expect(got.length).toBe(want.length);
  else expect(got.length).toBe(pages * pageSize);
  return want;
}

const byName = (n: string) => (c: CityRecord) => c.name === n;

describe(`searchLookup on real place names (${FULL ? 'all 135,233' : 'a sample of 3,000'})`, () => {
  it.each([
    ['lodz', 'Łódź'],
    ['tromso', 'Tromsø'],
    ['diyarbakir', 'Diyarbakır'],
    ['giessen', 'Gießen'],
    ['GIESSEN', 'Gießen'],
    ['aeroskobing', 'Ærøskøbing'],
    ['koln', 'Köln'],
    ['wulkaprodersdorf', 'Wulkaprodersdorf'],
  ])('folding: "%s" finds %s, first', async (text, city) => {
    const page = await searchLookup(db, 'cities', { index: 'byToken', text, pageSize: 5 });
    expect(page.items.map((c) => c.name)).toContain(city);
    expect(records.filter(byName(city)).length).toBeGreaterThan(0);
    await check({ text }, undefined);
  });

  it.each([
    ['an exact word', 'paris'],
    ['a prefix', 'san'],
    ['a word longer than the stored prefixes', 'wulkaprodersdorf'],
    ['a long prefix beyond 12 letters', 'wulkaprodersd'],
    ['one letter', 'x'],
    ['two words', 'san jose'],
    ['a word and a letter', 'new y'],
    ['Cyrillic by prefix', 'моск'],
    ['Greek by prefix', 'αθη'],
    ['Arabic by prefix', 'القا'],
    ['Hebrew by prefix', 'תל'],
    ['Han: one character', '京'],
    ['Han: a run inside a run', '京市'],
    ['Kana run of three', 'サンパ'],
    ['Hangul', '서울'],
    ['nothing matches', 'qqqzzz'],
  ])('pages and count match the brute force: %s (%s)', async (_, text) => {
    await check({ text }, undefined);
  });

  it('ranks whole-word matches first, then orders by population, descending', async () => {
    const query: Query = { text: 'san', orderBy: { index: 'byPopulation', direction: 'desc' } };
    const want = await check(query, undefined);
    const first = records.find((c) => c.id === want[0])!;
    // "San" as a whole word (San Juan, San José …) comes first; within it the most populous.
    expect(lookupWords(first.name)).toContain('san');
    await check({ text: 'santiago', orderBy: { index: 'byPopulation', direction: 'desc' } }, undefined);
    if (FULL) {
      const top = await searchLookup(db, 'cities', {
        index: 'byToken',
        text: 'santiago',
        orderBy: { index: 'byPopulation', direction: 'desc' },
        pageSize: 1,
      });
      expect(top.items[0]?.country).toBe('CL');
    }
  });

  it('orders ascending, with no text (the order index alone) and with a one-letter word', async () => {
    await check({ orderBy: { index: 'byPopulation' } }, undefined);
    await check({ text: 's', orderBy: { index: 'byPopulation' } }, undefined);
  });

  it('combines text with an equality filter', async () => {
    await check({ text: 's', filter: { index: 'byCountry', equals: 'DE' } }, (c) => c.country === 'DE');
    await check({ text: 'san', filter: { index: 'byCountry', equals: 'LI' } }, (c) => c.country === 'LI');
  });

  it('combines text with a range filter (above, below, between, atLeast/atMost)', async () => {
    await check(
      { text: 'san', filter: { index: 'byPopulation', above: 100_000 } },
      (c) => c.population > 100_000,
    );
    await check(
      { text: 'san', filter: { index: 'byPopulation', below: 2_000 } },
      (c) => c.population < 2_000,
    );
    await check(
      { text: 'new', filter: { index: 'byPopulation', between: [10_000, 50_000] } },
      (c) => c.population >= 10_000 && c.population <= 50_000,
    );
    await check(
      { filter: { index: 'byPopulation', atLeast: 1_000_000, atMost: 5_000_000 } },
      (c) => c.population >= 1_000_000 && c.population <= 5_000_000,
    );
  });

  it('combines text, an equality filter, a range and an order', async () => {
    await check(
      {
        text: 'b',
        filter: [
          { index: 'byCountry', equals: 'DE' },
          { index: 'byPopulation', above: 20_000 },
        ],
        orderBy: { index: 'byPopulation', direction: 'desc' },
      },
      (c) => c.country === 'DE' && c.population > 20_000,
    );
    await check(
      {
        filter: { index: 'byPopulation', above: 500_000 },
        orderBy: { index: 'byPopulation', direction: 'desc' },
      },
      (c) => c.population > 500_000,
    );
  });

  it('finds the records broad conditions share, also when a walk gives up on them', async () => {
    const cases: [Query, (c: CityRecord) => boolean][] = [
      // "k" and Italy each hold thousands of places, three of them both.
      [{ text: 'k', filter: { index: 'byCountry', equals: 'IT' } }, (c) => c.country === 'IT'],
      [
        {
          text: 'k',
          filter: { index: 'byCountry', equals: 'IT' },
          orderBy: { index: 'byPopulation', direction: 'desc' },
        },
        (c) => c.country === 'IT',
      ],
      // Thousands in common, in primary-key order and by population.
      [{ text: 's', filter: { index: 'byCountry', equals: 'DE' } }, (c) => c.country === 'DE'],
      [
        {
          text: 's',
          filter: { index: 'byCountry', equals: 'US' },
          orderBy: { index: 'byPopulation', direction: 'desc' },
        },
        (c) => c.country === 'US',
      ],
      // Two broad ranges and no index key to walk: the key lists at once.
      [
        {
          filter: [
            { index: 'byPopulation', above: 5_000 },
            { index: 'byPopulation', below: 900_000 },
          ],
        },
        (c) => c.population > 5_000 && c.population < 900_000,
      ],
    ];
    for (const [query, keep] of cases) await check(query, keep);
    // The same with walks that give up at once: the rest comes from the intersected key lists.
    const saved = { ...WALK_BUDGET };
    Object.assign(WALK_BUDGET, { least: 30, perKey: 0 });
    try {
      for (const [query, keep] of cases) await check(query, keep);
    } finally {
      Object.assign(WALK_BUDGET, saved);
    }
  }, 180_000);

  it('narrows by `where` with text, order and count', async () => {
    const odd = (c: CityRecord) => c.id % 2 === 1;
    await check({ text: 'san', where: odd, orderBy: { index: 'byPopulation', direction: 'desc' } }, odd);
    await check({ text: 's', where: odd }, odd);
  });
});
