import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bruteForce,
  deleteTestDatabase,
  type LookupSchema,
  loadServiceTypes,
  lookupDatabase,
  type ServiceType,
  uniqueDbName,
} from '../../test/query/lookup-records.js';
import type { DatabaseHandle } from '../db/define-database.js';
import { type LookupQuery, searchLookup } from './search-lookup.js';

// indexeddbshim is far too slow to load 100k records with a token index: the 2k version of these
// checks (search-lookup.test.ts) runs on both backends.
describe.runIf(globalThis.__IDB_BACKEND__ === 'fake-indexeddb')('searchLookup on 100k lookup records', () => {
  const COUNT = 100_000;
  let name: string;
  let db: DatabaseHandle<LookupSchema>;
  let records: ServiceType[];

  beforeAll(async () => {
    name = uniqueDbName('lookup-100k');
    db = lookupDatabase(name);
    records = await loadServiceTypes(db, COUNT, 1000);
  }, 120_000);
  afterAll(async () => {
    await db.close();
    await deleteTestDatabase(name);
  });

  it.each([
    ['a rare word with a common one', 'hydraul pump', undefined],
    ['two words and a filter', 'repair pu', 'hvac'],
    ['a common word and a rare filter', 'pump', 'rare'],
    ['accents folded', 'réparation', 'plumbing'],
  ] as const)('pages match the brute-force filter: %s', async (_, text, category) => {
    const expected = bruteForce(records, text, category).map((r) => r.id);
    const query: LookupQuery<LookupSchema, 'service_types'> = {
      index: 'byToken',
      text,
      ...(category === undefined ? {} : { filter: { index: 'byCategory', equals: category } }),
      pageSize: 50,
    };
    // The first pages exactly; rare queries are paged to their end (at most 8 pages per query).
    const ids: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await searchLookup(db, 'service_types', after === undefined ? query : { ...query, after });
      if (pages < 3) expect(page.items.map((r) => r.id)).toEqual(expected.slice(pages * 50, pages * 50 + 50));
      ids.push(...page.items.map((r) => r.id));
      after = page.nextCursor;
      pages += 1;
    } while (after !== undefined && pages < 8);
    if (after === undefined) expect(ids).toEqual(expected);
    else expect(ids).toEqual(expected.slice(0, ids.length));
    expect(expected.length).toBeGreaterThan(0);
  });
});
