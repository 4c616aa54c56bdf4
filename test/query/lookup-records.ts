import type { DBSchema } from 'idb';
import { type DatabaseHandle, defineDatabase } from '../../src/db/define-database.js';
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
    await db.write(['service_types'], (tx) => {
      const store = tx.objectStore('service_types');
      for (const record of page) void store.put(record);
    });
  }
  return all;
}

/** The brute-force answer: records whose words start with every query word (independent of tokens). */
export function bruteForce(records: readonly ServiceType[], text: string, category?: string): ServiceType[] {
  const queryWords = lookupWords(text);
  return records
    .filter((r) => category === undefined || r.category === category)
    .filter((r) => {
      const recordWords = lookupWords(`${r.code} ${r.name}`);
      return queryWords.every((q) => recordWords.some((w) => w.startsWith(q)));
    })
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
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
