import { describe, expectTypeOf, it } from 'vitest';
import type { LookupSchema, ServiceType } from '../../test/query/lookup-records.js';
import type { defineDatabase } from '../db/define-database.js';
import type { LookupPage } from './search-lookup.js';
import { searchLookup } from './search-lookup.js';

declare const db: ReturnType<typeof defineDatabase<LookupSchema>>;

describe('searchLookup types', () => {
  it('types items and keys from the schema', () => {
    expectTypeOf(
      searchLookup(db, 'service_types', { index: 'byToken', text: 'pump' }),
    ).resolves.toEqualTypeOf<LookupPage<ServiceType, string>>();
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
});
