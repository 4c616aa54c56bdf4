// Where the full sync's time goes: the same pages pulled by parts of the work, to separate the
// network and parsing from the IndexedDB writes and from the shape of each page's transaction.
// Diagnostics for RESULTS.md, not targets.

import { createHttpTransport } from '../../../src/index.js';
import type { PullResponse } from '../../../src/protocol/messages.js';
import { deleteAllDatabases, done, openDatabase } from '../lib/idb.js';
import { CHECKPOINTS, createLookupStore, LOOKUP } from '../lib/lookup-schema.js';
import { countLookup, openRawLookup, pullPipelined, txOptions } from '../lib/raw-sync.js';
import { pullPage, SCHEMA_VERSION, type ServerAccess } from '../lib/server-pages.js';

export const ANATOMY_VARIANTS = [
  'fetch-json',
  'idb-sync-transport',
  'raw-pipelined',
  'raw-pipelined-idb-sync-tx-shape',
] as const;
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
 * checkpoint; relaxed durability.
 */
function writeShaped(db: IDBDatabase, page: PullResponse): Promise<void> {
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
    existing.onsuccess = () => {
      for (const change of page.changes) {
        if (change.op === 'put') data.put({ ...change.value, _rev: change.rev });
        else data.delete(change.id);
      }
      tx.objectStore(CHECKPOINTS).put({ collection: LOOKUP, token: page.checkpoint });
    };
  };
  return done(tx);
}

/** One timed pass of `variant` over every page; resolves with milliseconds and records seen. */
export async function anatomy(
  variant: AnatomyVariant,
  access: ServerAccess,
  windowSize: number,
): Promise<{ ms: number; records: number }> {
  await deleteAllDatabases();
  let run: () => Promise<number>;
  let close = () => {};
  const raw = (token: string | null) => pullPage(access, LOOKUP, token, windowSize);
  if (variant === 'fetch-json') {
    run = () => pipelined(raw, async () => {});
  } else if (variant === 'idb-sync-transport') {
    const transport = createHttpTransport({
      baseUrl: location.origin,
      schemaVersion: SCHEMA_VERSION,
      getToken: () => access.token,
    });
    const fetchPage = (token: string | null) =>
      transport.pull({ collection: LOOKUP, checkpoint: token, windowSize });
    run = () => pipelined(fetchPage, async () => {});
  } else if (variant === 'raw-pipelined') {
    const db = await openRawLookup('bench-anatomy');
    close = () => db.close();
    run = async () => {
      await pullPipelined(db, access, windowSize, 'relaxed');
      return countLookup(db);
    };
  } else {
    const db = await openDatabase('bench-anatomy-shaped', 1, (created) => {
      createLookupStore(created);
      created.createObjectStore(CHECKPOINTS, { keyPath: 'collection' });
      created
        .createObjectStore(OUTBOX, { keyPath: 'mutationId', autoIncrement: true })
        .createIndex('by-record', ['store', 'id']);
    });
    close = () => db.close();
    run = async () => {
      await pipelined(raw, (page) => writeShaped(db, page));
      return countLookup(db);
    };
  }
  try {
    const started = performance.now();
    const records = await run();
    return { ms: performance.now() - started, records };
  } finally {
    close();
  }
}
