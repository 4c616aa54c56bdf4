// Where the full sync's time goes: the same pages pulled by parts of the work, to separate the
// network and parsing from the IndexedDB writes and from the shape of each page's transaction.
// Diagnostics for RESULTS.md, not targets.

import type { PullResponse } from '../../../src/protocol/messages.js';
import { createHttpTransport } from '../../../src/transport/index.js';
import { deleteAllDatabases, done, openDatabase } from '../lib/idb.js';
import { benchSyncClient, syncOrThrow } from '../lib/idb-sync-client.js';
import { benchDatabase } from '../lib/idb-sync-db.js';
import { CHECKPOINTS, createLookupStore, LOOKUP, LOOKUP_INDEXES } from '../lib/lookup-schema.js';
import { countLookup, openRawLookup, pullPipelined, txOptions } from '../lib/raw-sync.js';
import { pullPage, SCHEMA_VERSION, type ServerAccess } from '../lib/server-pages.js';

export const ANATOMY_VARIANTS = [
  'fetch-json',
  'idb-sync-transport',
  'raw-pipelined',
  'raw-pipelined-idb-sync-tx-shape',
  'raw-pipelined-unique-reads',
  'raw-pipelined-pages-of-5000',
  'raw-pipelined-indexes-after',
  'idb-sync',
  'idb-sync-pages-of-5000',
] as const;

/** The larger page of the page-size variants (the bench server's limit). */
const LARGE_PAGE = 5_000;
export type AnatomyVariant = (typeof ANATOMY_VARIANTS)[number];

/** An outbox store with a `[store, id]` index, as idb-sync keeps one (empty here, as during a first sync). */
const OUTBOX = '_outbox';

/** Pulls every page, the next requested before the current is handed to `consume`. */
async function pipelined(
  fetchPage: (token: string | null) => Promise<PullResponse>,
  consume: (page: PullResponse) => Promise<void>,
): Promise<number> {
  let records = 0;
  let next = fetchPage(null);
  for (;;) {
    const page = await next;
    if (page.moreAvailable) next = fetchPage(page.checkpoint);
    await consume(page);
    records += page.changes.length;
    if (!page.moreAvailable) return records;
  }
}

/**
 * One page written the way idb-sync's page transaction does it: a key cursor over the outbox index
 * first, then a `getAll` of the page's key range, and only from that callback the puts and the
 * checkpoint; relaxed durability. With `uniqueReads`, the puts wait for one `getKey` per record on
 * the unique `code` index too, as idb-sync's clash check reads before writing (issue #14).
 */
function writeShaped(db: IDBDatabase, page: PullResponse, uniqueReads = false): Promise<void> {
  const tx = db.transaction([LOOKUP, OUTBOX, CHECKPOINTS], 'readwrite', txOptions('relaxed'));
  const data = tx.objectStore(LOOKUP);
  const cursor = tx
    .objectStore(OUTBOX)
    .index('by-record')
    .openKeyCursor(IDBKeyRange.bound([LOOKUP], [LOOKUP, []]));
  cursor.onsuccess = () => {
    if (cursor.result) {
      cursor.result.continue();
      return;
    }
    const after = page.range?.after ?? null;
    const until = page.range?.until ?? null;
    const range =
      after === null
        ? until === null
          ? null
          : IDBKeyRange.upperBound(until)
        : until === null
          ? IDBKeyRange.lowerBound(after, true)
          : IDBKeyRange.bound(after, until, true, false);
    const existing = data.getAll(range);
    const write = () => {
      for (const change of page.changes) {
        if (change.op === 'put') data.put({ ...change.value, _rev: change.rev });
        else data.delete(change.id);
      }
      tx.objectStore(CHECKPOINTS).put({ collection: LOOKUP, token: page.checkpoint });
    };
    existing.onsuccess = () => {
      if (!uniqueReads) return write();
      const byCode = data.index('byCode');
      const puts = page.changes.filter((change) => change.op === 'put');
      let left = puts.length;
      if (left === 0) return write();
      for (const change of puts) {
        byCode.getKey(change.value['code'] as IDBValidKey).onsuccess = () => {
          left -= 1;
          if (left === 0) write();
        };
      }
    };
  };
  return done(tx);
}

/** The lookup database without its indexes (they are added after the load). */
function openWithoutIndexes(name: string): Promise<IDBDatabase> {
  return openDatabase(name, 1, (created) => {
    created.createObjectStore(LOOKUP, { keyPath: 'id' });
    created.createObjectStore(CHECKPOINTS, { keyPath: 'collection' });
  });
}

/** Adds the lookup indexes to a loaded store in a versionchange transaction; resolves with its count. */
async function addIndexesAfter(db: IDBDatabase): Promise<number> {
  const { name, version } = db;
  db.close();
  const upgraded = await openDatabase(name, version + 1, (_db, tx) => {
    const store = tx.objectStore(LOOKUP);
    for (const [index, spec] of Object.entries(LOOKUP_INDEXES)) {
      store.createIndex(index, spec.keyPath, { unique: spec.unique, multiEntry: spec.multiEntry });
    }
  });
  try {
    return await countLookup(upgraded);
  } finally {
    upgraded.close();
  }
}

interface Prepared {
  run(): Promise<number>;
  close(): Promise<void>;
}

/** Opens what `variant` needs (not timed) and returns its timed part. */
async function prepare(variant: AnatomyVariant, access: ServerAccess, windowSize: number): Promise<Prepared> {
  const raw = (size: number) => (token: string | null) => pullPage(access, LOOKUP, token, size);
  const nothing = async () => {};
  switch (variant) {
    case 'fetch-json':
      return { run: () => pipelined(raw(windowSize), nothing), close: nothing };
    case 'idb-sync-transport': {
      const transport = createHttpTransport({
        baseUrl: location.origin,
        schemaVersion: SCHEMA_VERSION,
        getToken: () => access.token,
      });
      const fetchPage = (token: string | null) =>
        transport.pull({ collection: LOOKUP, checkpoint: token, windowSize });
      return { run: () => pipelined(fetchPage, nothing), close: nothing };
    }
    case 'raw-pipelined':
    case 'raw-pipelined-pages-of-5000': {
      const db = await openRawLookup('bench-anatomy');
      const size = variant === 'raw-pipelined' ? windowSize : LARGE_PAGE;
      return {
        run: async () => {
          await pullPipelined(db, access, size, 'relaxed');
          return countLookup(db);
        },
        close: async () => db.close(),
      };
    }
    case 'raw-pipelined-indexes-after': {
      const db = await openWithoutIndexes('bench-anatomy-late-indexes');
      return {
        run: async () => {
          await pullPipelined(db, access, windowSize, 'relaxed');
          return addIndexesAfter(db);
        },
        close: async () => db.close(),
      };
    }
    case 'raw-pipelined-idb-sync-tx-shape':
    case 'raw-pipelined-unique-reads': {
      const db = await openDatabase('bench-anatomy-shaped', 1, (created) => {
        createLookupStore(created);
        created.createObjectStore(CHECKPOINTS, { keyPath: 'collection' });
        created
          .createObjectStore(OUTBOX, { keyPath: 'mutationId', autoIncrement: true })
          .createIndex('by-record', ['store', 'id']);
      });
      return {
        run: async () => {
          const uniqueReads = variant === 'raw-pipelined-unique-reads';
          await pipelined(raw(windowSize), (page) => writeShaped(db, page, uniqueReads));
          return countLookup(db);
        },
        close: async () => db.close(),
      };
    }
    case 'idb-sync':
    case 'idb-sync-pages-of-5000': {
      const handle = benchDatabase('bench-anatomy-idb-sync');
      await handle.open();
      const size = variant === 'idb-sync' ? windowSize : LARGE_PAGE;
      const client = benchSyncClient(handle, access, LOOKUP, size);
      return {
        run: async () => {
          await syncOrThrow(client);
          return handle.count(LOOKUP);
        },
        close: async () => {
          await client.close();
          await handle.close();
        },
      };
    }
  }
}

/** One timed pass of `variant` over every page; resolves with milliseconds and records seen. */
export async function anatomy(
  variant: AnatomyVariant,
  access: ServerAccess,
  windowSize: number,
): Promise<{ ms: number; records: number }> {
  await deleteAllDatabases();
  const prepared = await prepare(variant, access, windowSize);
  try {
    const started = performance.now();
    const records = await prepared.run();
    return { ms: performance.now() - started, records };
  } finally {
    await prepared.close();
  }
}
