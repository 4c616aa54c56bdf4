// Workload 5: keyword search and paging over the lookup store, on the multiEntry token index
// (`byToken`, one entry per search token of each record). raw-index: a page is `pageSize` records
// in index order; the next page resumes right after the last (token, id) with `continuePrimaryKey`,
// so every page costs the same however deep it is. idb-sync: `searchLookup` over the same store
// synced by the SDK, its tokens made by `lookupTokens` (words and their prefixes) in the
// collection's `fromServer` transform, as an app would; pages resume from `nextCursor`.

import { type DatabaseHandle, lookupTokens, searchLookup } from '../../../src/index.js';
import { fillRaw } from '../lib/fill.js';
import { deleteAllDatabases, done, request } from '../lib/idb.js';
import { benchSyncClient, syncOrThrow } from '../lib/idb-sync-client.js';
import { benchDatabase } from '../lib/idb-sync-db.js';
import { LOOKUP, type ServiceType } from '../lib/lookup-schema.js';
import { openRawLookup } from '../lib/raw-sync.js';
import { pullAll, type ServerAccess } from '../lib/server-pages.js';

export const SEARCH_IMPLS = ['raw-index', 'idb-sync'] as const;
export type SearchImpl = (typeof SEARCH_IMPLS)[number];

/** The queries measured: one token, a token prefix, and two tokens that must both match. */
export const QUERIES = {
  token: ['boiler'],
  prefix: ['insp'],
  'two-tokens': ['emergency', 'boiler'],
} as const;
export type QueryKind = keyof typeof QUERIES;

let db: IDBDatabase | undefined;
let synced: DatabaseHandle | undefined;

/** The text idb-sync's picker is given for each query. */
const TEXTS: Record<QueryKind, string> = {
  token: 'boiler',
  prefix: 'insp',
  'two-tokens': 'emergency boiler',
};

/**
 * Fills the raw database, and idb-sync's through a full sync whose `fromServer` replaces each
 * record's tokens by `lookupTokens` of them (not timed); returns both record counts.
 */
export async function setup(
  access: ServerAccess,
  windowSize: number,
): Promise<{ raw: number; idbSync: number }> {
  await deleteAllDatabases();
  db = await openRawLookup('bench-search-raw');
  await fillRaw(db, (await pullAll(access, LOOKUP, null, windowSize)).pages);
  const tx = db.transaction(LOOKUP, 'readonly');
  const raw = request(tx.objectStore(LOOKUP).count());
  await done(tx);
  synced = benchDatabase('bench-search-idb-sync');
  // The app's way to search: tokens with prefixes, derived from the server's words as records arrive.
  const client = benchSyncClient(synced, access, LOOKUP, windowSize, {
    fromServer: (record) => {
      const row = record as ServiceType;
      return { ...row, tokens: lookupTokens(row.tokens) };
    },
  });
  try {
    await syncOrThrow(client);
  } finally {
    await client.close();
  }
  const idbSync = await synced.read([LOOKUP], (t) => t.objectStore(LOOKUP).count());
  return { raw: await raw, idbSync };
}

/** One idb-sync page: `searchLookup`, resumed from the previous page's cursor. */
async function readSyncedPage(
  database: DatabaseHandle,
  kind: QueryKind,
  after: string | undefined,
  pageSize: number,
): Promise<{ size: number; next: string | undefined }> {
  // The bench's handle is declared without a TypeScript schema: its index names are plain strings.
  const page = await searchLookup(database, LOOKUP, {
    index: 'byToken' as never,
    text: TEXTS[kind],
    pageSize,
    ...(after === undefined ? {} : { after }),
  });
  return { size: page.items.length, next: page.nextCursor };
}

/** Where a page ended: the index key and primary key of its last record. */
type Position = { key: IDBValidKey; primaryKey: IDBValidKey } | null;

function rangeOf(kind: QueryKind): IDBKeyRange {
  const first = QUERIES[kind][0];
  return kind === 'prefix' ? IDBKeyRange.bound(first, `${first}\uffff`) : IDBKeyRange.only(first);
}

/**
 * One page: walks the token index from `after`, keeping records that match every token of the
 * query (a prefix may match one record through two tokens: duplicates are skipped). All in one
 * readonly transaction whose only requests are the cursor's.
 */
function readPage(
  database: IDBDatabase,
  kind: QueryKind,
  after: Position,
  pageSize: number,
  seen: Set<string>,
): Promise<{ records: ServiceType[]; position: Position }> {
  const tokens = QUERIES[kind];
  const tx = database.transaction(LOOKUP, 'readonly');
  const cursorRequest = tx.objectStore(LOOKUP).index('byToken').openCursor(rangeOf(kind));
  const records: ServiceType[] = [];
  let position: Position = after;
  let resumed = false;
  cursorRequest.onsuccess = () => {
    const cursor = cursorRequest.result;
    if (!cursor) {
      position = null;
      return;
    }
    if (after) {
      const byKey = indexedDB.cmp(cursor.key, after.key);
      const order = byKey === 0 ? indexedDB.cmp(cursor.primaryKey, after.primaryKey) : byKey;
      if (order < 0 && !resumed) {
        // Jump straight to where the previous page ended (a seek, not a walk).
        resumed = true;
        cursor.continuePrimaryKey(after.key, after.primaryKey);
        return;
      }
      resumed = true;
      if (order === 0) {
        cursor.continue();
        return;
      }
    }
    const record = cursor.value as ServiceType;
    const id = record.id;
    if (
      !seen.has(id) &&
      tokens.every((t) =>
        kind === 'prefix' ? record.tokens.some((x) => x.startsWith(t)) : record.tokens.includes(t),
      )
    ) {
      seen.add(id);
      records.push(record);
    }
    position = { key: cursor.key, primaryKey: cursor.primaryKey };
    if (records.length < pageSize) cursor.continue();
  };
  return done(tx).then(() => ({ records, position }));
}

/**
 * Timed: the first page of `kind`, then `pages - 1` next pages. Returns each page's milliseconds
 * and how many records each held (a short page means the results ran out).
 */
export async function search(
  impl: SearchImpl,
  kind: QueryKind,
  pageSize: number,
  pages: number,
): Promise<{ ms: number[]; sizes: number[] }> {
  if (!db || !synced) throw new Error('setup() first');
  const ms: number[] = [];
  const sizes: number[] = [];
  if (impl === 'idb-sync') {
    let after: string | undefined;
    for (let i = 0; i < pages; i += 1) {
      const started = performance.now();
      const page = await readSyncedPage(synced, kind, after, pageSize);
      ms.push(performance.now() - started);
      sizes.push(page.size);
      after = page.next;
      if (after === undefined) break;
    }
    return { ms, sizes };
  }
  const seen = new Set<string>();
  let position: Position = null;
  for (let i = 0; i < pages; i += 1) {
    const started = performance.now();
    const page = await readPage(db, kind, position, pageSize, seen);
    ms.push(performance.now() - started);
    sizes.push(page.records.length);
    position = page.position;
    if (position === null) break;
  }
  return { ms, sizes };
}
