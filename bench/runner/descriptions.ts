/** What each workload measures, printed above its tables in RESULTS.md. */
export const workloadNotes: Record<string, string> = {
  server:
    'The reference server on its own, before any browser starts: one client in the benchmark process pulls every page of the collection one request after another and reads each body as text. This is the rate at which the server can hand out pages on this machine: no sync over the network can finish faster.',
  'full-sync':
    "Initial full sync into an empty database until queryable: the clock starts after the database is opened and stops when the committed store has been counted (and holds every record). `time` is that duration; `peak-memory` the growth of the page's memory over its level after a forced GC just before the sync (Chromium: V8 heap used, read over CDP every 20 ms; WebKit: resident memory of the web content process, see below), and its peaks in the first and second half of the sync (growth with N would show as a larger second half); `one-page/memory` the memory one parsed page keeps alive.",
  'full-sync-anatomy':
    "Diagnostics, not targets: the same pages pulled by parts of the work, in the same session. `fetch-json`: pipelined `fetch` + `response.json()` only (no IndexedDB): the network and parsing floor. `idb-sync-transport`: the same through idb-sync's HTTP transport (ky, zod validation of every page). `raw-pipelined`: as in full-sync. `raw-pipelined-idb-sync-tx-shape`: raw IndexedDB shaped like idb-sync's page transaction (outbox index cursor, then `getAll` of the page's key range, then the puts with a `_rev` copy of each value, and the checkpoint), to isolate the cost of that shape from the rest of the SDK.",
  upversion:
    "A store holding the whole collection is upgraded to a new version. `add-index`: from the open of the new version (raw: `indexedDB.open(name, v + 1)` with `createIndex('byCategory', 'category')` in `upgradeneeded`; idb-sync: a new handle declaring the next version with the index) until a `count()` through the new index answers; the next (untimed) version removes the index again. `migrate-field`: a version whose migration rewrites `name` in every record (upper/lower case alternately), until the first and last records are read back; raw does it inside the versionchange transaction with pages of `getAll(range, 500)` + `put` (the way idb-sync's migrations run); `raw-cursor` is the naive `openCursor` + `cursor.update` walk, measured ONCE only (in Chromium it takes minutes at 100k records).",
};

/** How each implementation is configured, for RESULTS.md. */
export const implementationNotes: Record<string, string> = {
  'raw-one-tx':
    'raw IndexedDB, every record already in memory (fetched before the clock starts), all `put`s in ONE readwrite transaction (default durability): the physical limit of the engine.',
  'raw-paged':
    'raw IndexedDB, records already in memory, one readwrite transaction (default durability) per page of `windowSize` records, each committed before the next starts.',
  'raw-pipelined':
    "hand-written raw IndexedDB pull loop: `fetch` of page n+1 issued before page n is written, each page written with its checkpoint in one transaction with `durability: 'relaxed'`. What a careful hand-written client can do.",
  'dexie-loop':
    "Dexie 4 (`dexie` devDependency), the obvious user loop: `await fetch` one page, then `bulkPut` (and `bulkDelete`) plus the checkpoint `put` in ONE `db.transaction('rw', …)` per page, then fetch the next page. Same indexes as the raw store (`id, &code, *tokens`).",
  rxdb: 'RxDB 17 with its free IndexedDB storage `getRxStorageDexie()` (no premium storage), `multiInstance: false`, no dev-mode and no schema validation plugin (fastest configuration), `replicateRxCollection` with `live: false`, `waitForLeadership: false`, pull `batchSize` = `windowSize`, the pull handler calling the same `/v1/pull` pages. RxDB cannot index array elements, so it has the `code` index but no token index (one index fewer than the others).',
};
