import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bruteForce,
  bruteForceSearch,
  deleteTestDatabase,
  type LookupSchema,
  loadServiceTypes,
  lookupDatabase,
  type ServiceType,
  uniqueDbName,
} from '../../test/query/lookup-records.js';
import type { DatabaseHandle } from '../db/define-database.js';
import { isIdbSyncError } from '../errors/idb-sync-error.js';
import type { LookupQuery } from './lookup-query.js';
import { lookupTokens } from './lookup-tokens.js';
import { searchLookup } from './search-lookup.js';

const COUNT = 2000;
let name: string;
let db: DatabaseHandle<LookupSchema>;
let records: ServiceType[];

beforeAll(async () => {
  name = uniqueDbName('lookup');
  db = lookupDatabase(name);
  records = await loadServiceTypes(db, COUNT, 500);
});
afterAll(async () => {
  await db.close();
  await deleteTestDatabase(name);
});

/** Reads every page of a query; checks each page's size on the way. */
async function allPages(query: Omit<LookupQuery<LookupSchema, 'service_types'>, 'after'>) {
  const ids: string[] = [];
  let after: string | undefined;
  let pages = 0;
  do {
    const page = await searchLookup(db, 'service_types', after === undefined ? query : { ...query, after });
    pages += 1;
    expect(page.items.length).toBeLessThanOrEqual(query.pageSize ?? 50);
    if (page.nextCursor !== undefined) expect(page.items.length).toBe(query.pageSize ?? 50);
    expect(page.keys).toEqual(page.items.map((r) => r.id));
    ids.push(...page.items.map((r) => r.id));
    after = page.nextCursor;
  } while (after !== undefined);
  return { ids, pages };
}

const cases: [string, string, string | undefined][] = [
  ['one whole word', 'pump', undefined],
  ['a prefix of several words', 'pum', undefined],
  ['two words, one rare (intersection)', 'pump hydraul', undefined],
  ['three words in any order and case', 'REPAIR valve pu', undefined],
  ['accents folded both ways', 'reparation CHAUDIERE', undefined],
  ['a one-letter word (checked in memory only)', 'f pump', undefined],
  ['a word longer than the longest stored prefix', 'hydraulically', undefined],
  ['text and a filter', 'pump', 'hvac'],
  ['text and a rare filter (the filter drives)', 'repair', 'rare'],
  ['a filter only', '', 'plumbing'],
  ['an exact code', 'st 1234', undefined],
  ['nothing matches', 'pump zzz', undefined],
  ['no condition at all (the whole store)', '', undefined],
];

describe(`searchLookup on ${COUNT} records`, () => {
  it.each(cases)('returns the brute-force result page by page: %s', async (_, text, category) => {
    const expected = bruteForce(records, text, category).map((r) => r.id);
    const { ids, pages } = await allPages({
      index: 'byToken',
      text,
      ...(category === undefined ? {} : { filter: { index: 'byCategory', equals: category } }),
      pageSize: 37,
    });
    expect(ids).toEqual(expected);
    expect(pages).toBe(Math.max(1, Math.ceil(expected.length / 37)));
  });

  it('keeps its place across inserts and deletes between pages (no skip, no repeat)', async () => {
    const query = { index: 'byToken', text: 'pump', pageSize: 20 } as const;
    const first = await searchLookup(db, 'service_types', query);
    const before = bruteForce(records, 'pump');
    const lastOfFirst = first.items.at(-1)!.id;
    expect(first.items.map((r) => r.id)).toEqual(before.slice(0, 20).map((r) => r.id));

    // Delete an item of the first page and the item that would have opened the second page;
    // insert matching records before and right after the cursor.
    const removed = [before[3]!.id, before[20]!.id];
    const inserted: ServiceType[] = [
      { ...before[0]!, id: `${before[0]!.id}a`, code: 'NEW-1' },
      { ...before[19]!, id: `${lastOfFirst}a`, code: 'NEW-2' },
    ];
    await db.write(
      ['service_types'],
      (tx) => {
        const store = tx.objectStore('service_types');
        for (const id of removed) void store.delete(id);
        for (const r of inserted) void store.put(r);
      },
      { localOnly: true },
    );
    try {
      const now = [...records.filter((r) => !removed.includes(r.id)), ...inserted];
      const second = await searchLookup(db, 'service_types', { ...query, after: first.nextCursor! });
      const expected = bruteForce(now, 'pump')
        .filter((r) => r.id > lastOfFirst)
        .slice(0, 20)
        .map((r) => r.id);
      expect(second.items.map((r) => r.id)).toEqual(expected);
      expect(expected[0]).toBe(`${lastOfFirst}a`);
    } finally {
      await db.write(
        ['service_types'],
        (tx) => {
          const store = tx.objectStore('service_types');
          for (const r of inserted) void store.delete(r.id);
          for (const id of removed) void store.put(records.find((r) => r.id === id)!);
        },
        { localOnly: true },
      );
    }
  });

  it('keeps its place in an order and a rank across inserts and deletes between pages', async () => {
    const query = {
      index: 'byToken',
      text: 'pump',
      orderBy: { index: 'byCode', direction: 'desc' },
      pageSize: 20,
    } as const;
    const ranked = (rs: readonly ServiceType[]) =>
      bruteForceSearch(rs, {
        text: 'pump',
        textsOf: (r) => [r.code, r.name],
        idOf: (r) => r.id,
        orderOf: (r) => r.code,
        descending: true,
      });
    const before = ranked(records);
    const first = await searchLookup(db, 'service_types', query);
    expect(first.items.map((r) => r.id)).toEqual(before.slice(0, 20).map((r) => r.id));
    const last = before[19]!;
    // Delete one record of the first page and the one that would open the second; insert one that
    // sorts right after the cursor (same rank, next code down) and one before it.
    const removed = [before[5]!.id, before[20]!.id];
    const inserted: ServiceType[] = [
      { ...last, id: 'zz-after', code: `${last.code}` },
      { ...last, id: last.id.slice(0, -1), code: last.code },
      { ...before[0]!, id: 'zz-before', code: `${before[0]!.code}9` },
    ];
    await db.write(
      ['service_types'],
      (tx) => {
        const store = tx.objectStore('service_types');
        for (const id of removed) void store.delete(id);
        for (const r of inserted) void store.put(r);
      },
      { localOnly: true },
    );
    try {
      const now = [...records.filter((r) => !removed.includes(r.id)), ...inserted];
      const order = ranked(now);
      const at = order.findIndex((r) => r.id === last.id);
      const second = await searchLookup(db, 'service_types', { ...query, after: first.nextCursor! });
      expect(second.items.map((r) => r.id)).toEqual(order.slice(at + 1, at + 21).map((r) => r.id));
      // Same code as the cursor's record and a smaller id: next in descending order.
      expect(second.items[0]?.id).toBe(last.id.slice(0, -1));
      // Same code as the cursor's record, a greater id: it sorts before it in descending order.
      expect(second.items.map((r) => r.id)).not.toContain('zz-after');
      expect(second.items.map((r) => r.id)).not.toContain('zz-before');
    } finally {
      await db.write(
        ['service_types'],
        (tx) => {
          const store = tx.objectStore('service_types');
          for (const r of inserted) void store.delete(r.id);
          for (const id of removed) void store.put(records.find((r) => r.id === id)!);
        },
        { localOnly: true },
      );
    }
  });

  it('finds records whose tokens were made with non-default options when told the same options', async () => {
    const options = { minPrefixLength: 4 };
    const record: ServiceType = {
      id: 'zz-custom',
      code: 'CUSTOM',
      name: 'Quixotic widget',
      category: 'general',
      tokens: lookupTokens(['CUSTOM', 'Quixotic widget'], options),
    };
    await db.put('service_types', record, { localOnly: true });
    try {
      // "qu" is not stored as a token here: it must be matched in memory, not looked up.
      const page = await searchLookup(db, 'service_types', {
        index: 'byToken',
        text: 'qu widg',
        tokens: options,
      });
      expect(page.items.map((r) => r.id)).toEqual(['zz-custom']);
    } finally {
      await db.delete('service_types', 'zz-custom', { localOnly: true });
    }
  });

  it('still finds records whose tokens were made before 0.2.0 (until they are synced again)', async () => {
    const legacy: ServiceType = {
      id: 'zz-legacy',
      code: 'OLD',
      name: 'Pump overhaul',
      category: 'general',
      // lookupTokens of 0.1: prefixes of 2..12 characters and whole words, no whole word marked.
      tokens: [
        'ol',
        'old',
        'ov',
        'ove',
        'over',
        'overh',
        'overha',
        'overhau',
        'overhaul',
        'pu',
        'pum',
        'pump',
      ],
    };
    await db.put('service_types', legacy, { localOnly: true });
    try {
      const page = await searchLookup(db, 'service_types', {
        index: 'byToken',
        text: 'overh pum',
        count: true,
      });
      expect(page.items.map((r) => r.id)).toEqual(['zz-legacy']);
      expect(page.total).toBe(1);
    } finally {
      await db.delete('service_types', 'zz-legacy', { localOnly: true });
    }
  });

  it('narrows every candidate by `where`, with text, filter and paging, as a brute force does', async () => {
    const odd = (r: ServiceType) => Number(r.id.replace(/\D/g, '')) % 2 === 1;
    for (const [text, category] of [
      ['pum', undefined],
      ['repair', 'hvac'],
      ['', 'plumbing'],
      ['', undefined],
    ] as const) {
      const expected = bruteForce(records, text, category).filter(odd);
      const { ids } = await allPages({
        index: 'byToken',
        text,
        ...(category === undefined ? {} : { filter: { index: 'byCategory', equals: category } }),
        where: odd,
        pageSize: 23,
      });
      expect(ids).toEqual(expected.map((r) => r.id));
    }
  });

  it('rejects with a TransactionCallbackError caused by what `where` throws', async () => {
    const boom = new Error('boom');
    for (const text of ['pump', '']) {
      const search = searchLookup(db, 'service_types', {
        index: 'byToken',
        text,
        where: () => {
          throw boom;
        },
      });
      const error = await search.catch((e: unknown) => e);
      expect(isIdbSyncError(error, 'TRANSACTION_CALLBACK_FAILED')).toBe(true);
      expect((error as Error).cause).toBe(boom);
    }
  });

  it('rejects a cursor it did not make with InvalidDataError', async () => {
    const error = await searchLookup(db, 'service_types', {
      index: 'byToken',
      text: 'pump',
      after: 'x',
    }).catch((e: unknown) => e);
    expect(isIdbSyncError(error, 'INVALID_DATA')).toBe(true);
    await expect(searchLookup(db, 'service_types', { text: 'pump' })).rejects.toThrow(TypeError);
    await expect(searchLookup(db, 'service_types', { pageSize: 0 })).rejects.toThrow(RangeError);
  });
});
