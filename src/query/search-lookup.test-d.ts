import { describe, expectTypeOf, it } from 'vitest';
import type { LookupSchema, ServiceType } from '../../test/query/lookup-records.js';
import type { defineDatabase } from '../db/define-database.js';
import type { CountedLookupPage, LookupPage } from './lookup-query.js';
import { searchLookup } from './search-lookup.js';

declare const db: ReturnType<typeof defineDatabase<LookupSchema>>;

describe('searchLookup types', () => {
  it('types items and keys from the schema, and `total` as a number when asked to count', () => {
    expectTypeOf(
      searchLookup(db, 'service_types', { index: 'byToken', text: 'pump' }),
    ).resolves.toEqualTypeOf<LookupPage<ServiceType, string>>();
    expectTypeOf(
      searchLookup(db, 'service_types', { index: 'byToken', text: 'pump', count: true }),
    ).resolves.toEqualTypeOf<CountedLookupPage<ServiceType, string>>();
    expectTypeOf<CountedLookupPage<ServiceType, string>['total']>().toEqualTypeOf<number>();
    expectTypeOf<LookupPage<ServiceType, string>['total']>().toEqualTypeOf<number | undefined>();
  });

  it('takes only the store, indexes and index key types of the schema', () => {
    searchLookup(db, 'service_types', { index: 'byToken', filter: { index: 'byCategory', equals: 'hvac' } });
    searchLookup(db, 'service_types', {
      where: (record) => {
        expectTypeOf(record).toEqualTypeOf<ServiceType>();
        return record.category !== 'rare';
      },
    });
    // @ts-expect-error not a store of the schema
    searchLookup(db, 'unknown', {});
    // @ts-expect-error not an index of service_types
    searchLookup(db, 'service_types', { index: 'byName' });
    // @ts-expect-error the category index holds strings
    searchLookup(db, 'service_types', { filter: { index: 'byCategory', equals: 3 } });
    // @ts-expect-error not an index to filter on
    searchLookup(db, 'service_types', { filter: { index: 'nope', equals: 'x' } });
  });

  it('takes several filters, ranges of the index key type, and an order by an index', () => {
    searchLookup(db, 'service_types', {
      index: 'byToken',
      text: 'pump',
      filter: [
        { index: 'byCategory', equals: 'hvac' },
        { index: 'byCode', above: 'ST-1', below: 'ST-5' },
        { index: 'byCode', between: ['ST-1', 'ST-2'] },
        { index: 'byCategory', atLeast: 'a', atMost: 'h' },
      ],
      orderBy: { index: 'byCode', direction: 'desc' },
    });
    // @ts-expect-error a range bound of the wrong key type
    searchLookup(db, 'service_types', { filter: { index: 'byCode', above: 1 } });
    // @ts-expect-error between takes two keys
    searchLookup(db, 'service_types', { filter: { index: 'byCode', between: ['a'] } });
    // @ts-expect-error not an index to order by
    searchLookup(db, 'service_types', { orderBy: { index: 'byPrice' } });
    // @ts-expect-error asc or desc
    searchLookup(db, 'service_types', { orderBy: { index: 'byCode', direction: 'down' } });
  });
});
