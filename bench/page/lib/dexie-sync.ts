// The Dexie baseline: the loop a user would write with Dexie's documented API. Each page is awaited,
// then written with `bulkPut` / `bulkDelete` and its checkpoint in ONE Dexie transaction; only then
// is the next page requested (no prefetch).
import { Dexie, type Table } from 'dexie';
import { CHECKPOINTS, DEXIE_LOOKUP_SCHEMA, LOOKUP, type ServiceType } from './lookup-schema.js';
import { pullPage, type ServerAccess } from './server-pages.js';

/** A Dexie database with the lookup table and a checkpoint table. */
export interface DexieLookup {
  readonly db: Dexie;
  readonly lookup: Table<ServiceType, string>;
  readonly checkpoints: Table<{ collection: string; token: string }, string>;
}

/** Declares (without opening: Dexie opens lazily on first use) the Dexie lookup database. */
export function dexieLookup(name: string): DexieLookup {
  const db = new Dexie(name);
  db.version(1).stores({ [LOOKUP]: DEXIE_LOOKUP_SCHEMA, [CHECKPOINTS]: 'collection' });
  return { db, lookup: db.table(LOOKUP), checkpoints: db.table(CHECKPOINTS) };
}

/** Pulls from the saved checkpoint until the server has no more; resolves with the changes applied. */
export async function dexiePullLoop(
  d: DexieLookup,
  access: ServerAccess,
  windowSize: number,
): Promise<number> {
  let token = (await d.checkpoints.get(LOOKUP))?.token ?? null;
  let applied = 0;
  for (;;) {
    const page = await pullPage(access, LOOKUP, token, windowSize);
    const puts: ServiceType[] = [];
    const deletes: string[] = [];
    for (const change of page.changes) {
      if (change.op === 'put') puts.push(change.value as ServiceType);
      else deletes.push(change.id);
    }
    await d.db.transaction('rw', d.lookup, d.checkpoints, async () => {
      if (puts.length > 0) await d.lookup.bulkPut(puts);
      if (deletes.length > 0) await d.lookup.bulkDelete(deletes);
      await d.checkpoints.put({ collection: LOOKUP, token: page.checkpoint });
    });
    applied += page.changes.length;
    token = page.checkpoint;
    if (!page.moreAvailable) return applied;
  }
}
