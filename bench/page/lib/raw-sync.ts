// The hand-written raw IndexedDB baselines: writes of records already in memory (the physical
// limit), and a pull loop that prefetches the next page while writing the current one.
import type { Change } from '../../../src/protocol/messages.js';
import { done, openDatabase, request } from './idb.js';
import { CHECKPOINTS, createLookupStore, LOOKUP } from './lookup-schema.js';
import { pullPage, type ServerAccess } from './server-pages.js';

/** Opens (creating when needed) a raw lookup database: the lookup store and a checkpoint store. */
export function openRawLookup(name: string): Promise<IDBDatabase> {
  return openDatabase(name, 1, (db) => {
    createLookupStore(db);
    db.createObjectStore(CHECKPOINTS, { keyPath: 'collection' });
  });
}

/** Issues the writes of `changes` on `store` (puts and deletes). */
export function writeChanges(store: IDBObjectStore, changes: readonly Change[]): void {
  for (const change of changes) {
    if (change.op === 'put') store.put(change.value);
    else store.delete(change.id);
  }
}

/** Transaction options for a durability choice (`'default'` passes none). */
export function txOptions(durability: IDBTransactionDurability): IDBTransactionOptions {
  return durability === 'default' ? {} : { durability };
}

/** Writes every page in ONE transaction; resolves with the record count after the commit. */
export async function writeOneTransaction(db: IDBDatabase, pages: readonly Change[][]): Promise<number> {
  const tx = db.transaction(LOOKUP, 'readwrite');
  const store = tx.objectStore(LOOKUP);
  for (const page of pages) writeChanges(store, page);
  await done(tx);
  return countLookup(db);
}

/** Writes each page in its own transaction; resolves with the record count after the last commit. */
export async function writePaged(
  db: IDBDatabase,
  pages: readonly Change[][],
  durability: IDBTransactionDurability,
): Promise<number> {
  for (const page of pages) {
    const tx = db.transaction(LOOKUP, 'readwrite', txOptions(durability));
    writeChanges(tx.objectStore(LOOKUP), page);
    await done(tx);
  }
  return countLookup(db);
}

/** The saved checkpoint token of the lookup collection, or null. */
export async function readCheckpoint(db: IDBDatabase): Promise<string | null> {
  const tx = db.transaction(CHECKPOINTS, 'readonly');
  const record = request(tx.objectStore(CHECKPOINTS).get(LOOKUP));
  await done(tx);
  return ((await record) as { token: string } | undefined)?.token ?? null;
}

/**
 * A hand-written pipelined pull: page n+1 is requested before page n is written, and each page is
 * written with its checkpoint in one transaction. Starts from the saved checkpoint (a fresh
 * database pulls everything). Resolves with the number of changes applied.
 */
export async function pullPipelined(
  db: IDBDatabase,
  access: ServerAccess,
  windowSize: number,
  durability: IDBTransactionDurability,
): Promise<number> {
  let applied = 0;
  let next = pullPage(access, LOOKUP, await readCheckpoint(db), windowSize);
  for (;;) {
    const page = await next;
    if (page.moreAvailable) next = pullPage(access, LOOKUP, page.checkpoint, windowSize);
    const tx = db.transaction([LOOKUP, CHECKPOINTS], 'readwrite', txOptions(durability));
    writeChanges(tx.objectStore(LOOKUP), page.changes);
    tx.objectStore(CHECKPOINTS).put({ collection: LOOKUP, token: page.checkpoint });
    await done(tx);
    applied += page.changes.length;
    if (!page.moreAvailable) return applied;
  }
}

/** Count of the lookup store ("queryable": the data is committed and readable). */
export async function countLookup(db: IDBDatabase): Promise<number> {
  const tx = db.transaction(LOOKUP, 'readonly');
  const count = request(tx.objectStore(LOOKUP).count());
  await done(tx);
  return count;
}
