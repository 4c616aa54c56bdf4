import type { DBSchema } from 'idb';
import { type DatabaseHandle, defineDatabase } from '../../src/db/define-database.js';
import { compareKeys } from '../../src/query/compare-keys.js';
import { foldTerms } from '../../src/query/fold-text.js';
import { lookupTokens, lookupWords } from '../../src/query/lookup-tokens.js';

/** A lookup record as the tests store it. */
export interface ServiceType {
  id: string;
  code: string;
  name: string;
  category: string;
  tokens: string[];
}

export interface LookupSchema extends DBSchema {
  service_types: {
    key: string;
    value: ServiceType;
    indexes: { byToken: string; byCategory: string; byCode: string };
  };
}

const words = [
  'pump',
  'pumping',
  'repair',
  'replace',
  'réparation',
  'chaudière',
  'boiler',
  'valve',
  'hvac',
  'filter',
  'inspection',
  'electric',
  'motor',
  'hydraulically',
  'pressure',
  'leak',
  'ümlaut',
  'fan',
  'duct',
  'cleaning',
  'compressor',
  'thermostat',
  'install',
  'annual',
  'service',
  'emergency',
];
export const categories = ['hvac', 'plumbing', 'electrical', 'general', 'rare'];

/** Deterministic pseudo-random records: 1–3 words each, skewed so that some words are rare. */
export function makeServiceType(i: number): ServiceType {
  let seed = (i + 1) * 2654435761;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const count = 1 + next(3);
  const name = Array.from({ length: count }, () => {
    const w = words[Math.min(next(words.length), next(words.length))] ?? 'pump';
    return next(4) === 0 ? w.toUpperCase() : w;
  }).join(next(2) === 0 ? ' ' : '-');
  const category = i % 97 === 0 ? 'rare' : (categories[next(4)] ?? 'general');
  const code = `ST-${i}`;
  return { id: `st-${String(i).padStart(6, '0')}`, code, name, category, tokens: lookupTokens([code, name]) };
}

/** A database with a `service_types` lookup store, token, category and code indexes. */
export function lookupDatabase(name: string): DatabaseHandle<LookupSchema> {
  return defineDatabase<LookupSchema>({
    name,
    versions: [
      {
        version: 1,
        stores: {
          service_types: {
            keyPath: 'id',
            kind: 'lookup',
            indexes: {
              byToken: { keyPath: 'tokens', multiEntry: true },
              byCategory: { keyPath: 'category' },
              byCode: { keyPath: 'code' },
            },
          },
        },
      },
    ],
  });
}

/** Writes `count` records in transactions of `pageSize` (one huge transaction is slow everywhere). */
export async function loadServiceTypes(
  db: DatabaseHandle<LookupSchema>,
  count: number,
  pageSize = 1000,
): Promise<ServiceType[]> {
  const all = Array.from({ length: count }, (_, i) => makeServiceType(i));
  for (let start = 0; start < count; start += pageSize) {
    const page = all.slice(start, start + pageSize);
    await db.write(
      ['service_types'],
      (tx) => {
        const store = tx.objectStore('service_types');
        for (const record of page) void store.put(record);
      },
      { localOnly: true }, // as a pull would write them
    );
  }
  return all;
}

/** How {@link bruteForceSearch} reads and orders records. */
export interface BruteForceOptions<R> {
  readonly text: string;
  /** The record's searchable texts (what its tokens were made of). */
  readonly textsOf: (record: R) => readonly (string | null | undefined)[];
  /** The record's words, when known already (else `lookupWords` of its texts). */
  readonly wordsOf?: (record: R) => readonly string[];
  readonly idOf: (record: R) => IDBValidKey;
  /** Other conditions (filters, `where`). */
  readonly keep?: (record: R) => boolean;
  /** The order within a rank; records without a key are left out. Default: the id. */
  readonly orderOf?: (record: R) => IDBValidKey | undefined;
  readonly descending?: boolean;
}

/**
 * The documented answer of a search, computed without any index: records whose words (folded, as
 * `lookupWords` says) start with every query word (CJK: contain every query run), those holding
 * every query word whole first, then by the order, then by id.
 */
export function bruteForceSearch<R>(records: readonly R[], options: BruteForceOptions<R>): R[] {
  const terms = foldTerms(options.text, true);
  const ranked: { record: R; tier: number; order: IDBValidKey | undefined; id: IDBValidKey }[] = [];
  for (const record of records) {
    if (options.keep !== undefined && !options.keep(record)) continue;
    const order = options.orderOf?.(record);
    if (options.orderOf !== undefined && order === undefined) continue;
    const words =
      options.wordsOf?.(record) ?? options.textsOf(record).flatMap((t) => (t == null ? [] : lookupWords(t)));
    const match = terms.every((q) => words.some((w) => (q.cjk ? w.includes(q.text) : w.startsWith(q.text))));
    if (!match) continue;
    const whole = terms.length > 0 && terms.every((q) => words.includes(q.text));
    ranked.push({ record, tier: whole ? 0 : 1, order, id: options.idOf(record) });
  }
  const sign = options.descending === true ? -1 : 1;
  ranked.sort(
    (a, b) =>
      a.tier - b.tier ||
      sign * ((a.order === undefined ? 0 : compareKeys(a.order, b.order)) || compareKeys(a.id, b.id)),
  );
  return ranked.map((r) => r.record);
}

/** The brute-force answer for service types: text over code and name, an optional category. */
export function bruteForce(records: readonly ServiceType[], text: string, category?: string): ServiceType[] {
  return bruteForceSearch(records, {
    text,
    textsOf: (r) => [r.code, r.name],
    idOf: (r) => r.id,
    ...(category === undefined ? {} : { keep: (r: ServiceType) => r.category === category }),
  });
}

let counter = 0;

/** A fresh database name per test file run. */
export function uniqueDbName(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now()}-${counter}`;
}

/** Deletes a test database once its handles are closed. */
export function deleteTestDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
    request.onblocked = () => resolve();
  });
}
