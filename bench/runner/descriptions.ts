/** What each workload measures, printed above its tables in RESULTS.md. */
export const workloadNotes: Record<string, string> = {
  server:
    'The reference server on its own, before any browser starts: one client in the benchmark process pulls every page of the collection one request after another and reads each body as text. This is the rate at which the server can hand out pages on this machine: no sync over the network can finish faster.',
  'full-sync':
    "Initial full sync into an empty database until queryable: the clock starts after the database is opened and stops when the committed store has been counted (and holds every record). `time` is that duration; `peak-memory` the growth of the page's memory over its level after a forced GC just before the sync (Chromium: V8 heap used, read over CDP every 20 ms; WebKit: resident memory of the web content process, see below), and its peaks in the first and second half of the sync (growth with N would show as a larger second half); `one-page/memory` the memory one parsed page keeps alive.",
  'full-sync-anatomy':
    "Diagnostics and the ideas worth measuring, not targets: the same pages pulled by parts of the work or in other ways, in the same session. `fetch-json`: pipelined `fetch` + `response.json()` only (no IndexedDB): the network and parsing floor. `idb-sync-transport`: the same through idb-sync's HTTP transport (ky, zod validation of every page). `raw-pipelined`: as in full-sync. `raw-pipelined-idb-sync-tx-shape`: raw IndexedDB shaped like idb-sync's page transaction (outbox index cursor, then `getAll` of the page's key range, then the puts with a `_rev` copy of each value, and the checkpoint), to isolate the cost of that shape from the rest of the SDK. `raw-pipelined-pages-of-5000`: the same loop with pages of 5,000. `raw-pipelined-indexes-after`: the store loaded without its two indexes, which are created in a versionchange after the last page (included in the time). `idb-sync` / `idb-sync-pages-of-5000`: idb-sync's full sync with pages of `windowSize` and of 5,000.",
  upversion:
    "A store holding the whole collection is upgraded to a new version. `add-index`: from the open of the new version (raw: `indexedDB.open(name, v + 1)` with `createIndex('byCategory', 'category')` in `upgradeneeded`; idb-sync: a new handle declaring the next version with the index) until a `count()` through the new index answers; the next (untimed) version removes the index again. `migrate-field`: a version whose migration rewrites `name` in every record (upper/lower case alternately), until the first and last records are read back; raw does it inside the versionchange transaction with pages of `getAll(range, 500)` + `put` (the way idb-sync's migrations run); `raw-cursor` is the naive `openCursor` + `cursor.update` walk, measured ONCE only (in Chromium it takes minutes at 100k records).",
  incremental:
    'Each implementation first fully syncs its own database (not timed) and keeps it open. Each run, the server then makes a batch of changes (60% updates of existing records, 20% new records, 20% deletes: the alive count stays constant), and every implementation pulls them from its own checkpoint; the clock stops when the committed store has been counted. `raw-put` is the baseline of the target: the same changes, fetched before its clock starts, applied with the checkpoint in one raw transaction.',
  push: "Local writes of `work_orders` (~400-byte records), each awaited until committed before the next: `queue-per-write` is the median time of one write within a run (`queue-per-write-p95` its p95 within the run, `queue-all` the sum); then `push-until-acknowledged` is the time until the server has applied every write (checked on the server) and the local queue is empty, in pushes of 500 mutations (the server's limit).",
  search:
    "Keyword search over the lookup store through its multiEntry token index (`byToken`: about four tokens per record): `token` one exact token (`boiler`, ~5% of records), `prefix` a token prefix (`insp`, ~10%), `two-tokens` two tokens that must both match (`emergency` and `boiler`, ~0.3%: the cursor walks the first token's entries and filters). `first page` is the time to the first 20 results in a fresh readonly transaction; `next page` the median of the next 10 pages, each resuming with `continuePrimaryKey` after the previous page's last entry.",
  'cold-open':
    "Each implementation's database holds the whole collection (filled through its own API, not timed). Each run reloads the page (no connection, no module state), then times from the first use of the database, as an app starts, to the result of one read by key.",
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
    "Dexie 4 (`dexie` devDependency), the obvious user loop: `await fetch` one page, then `bulkPut` (and `bulkDelete`) plus the checkpoint `put` in ONE `db.transaction('rw', …)` per page, then fetch the next page. Same indexes as the raw store (`id, &code, *tokens`). Incremental: the same loop from the saved checkpoint.",
  rxdb: "RxDB 17 with its free IndexedDB storage `getRxStorageDexie()` (no premium storage), `multiInstance: false`, no dev-mode and no schema validation plugin (fastest configuration), `replicateRxCollection` with `live: false`, `waitForLeadership: false`, pull `batchSize` = `windowSize`, the pull handler calling the same `/v1/pull` pages. RxDB cannot index array elements, so it has the `code` index but no token index (one index fewer than the others). Incremental: the same replication identifier, so RxDB resumes from its stored checkpoint. Push: `collection.insert()` per write, then a non-live push replication (`batchSize` 500) whose handler posts `/v1/push`. Cold open: `createRxDatabase` + `addCollections` + `findOne(id).exec()`. RxDB pins `dexie` 4.4.2; the bench bundle dedupes it to the project's Dexie 4.4 (Dexie refuses two copies in one page).",
  'idb-sync':
    "this repository's SDK through its public entry: `defineDatabase` (the same store and indexes, kind `lookup`; `work_orders` kind `transactional`) and `createSyncClient` over `createHttpTransport` (ky, every answer validated with zod) with `collections: { [store]: { windowSize } }`, `autoPush: false` and, for pushes, `maxPushBatch: 500`; the benchmark calls `sync()` itself. Its own split of each run (`time: network` = waiting for the server, `time: indexedDb`, `time: other`) is recorded too.",
  'raw-put':
    'incremental baseline: the same changes, already in memory, and the checkpoint written in ONE raw readwrite transaction.',
  raw: 'upversion: raw `indexedDB.open(name, version + 1)`, the change made in `upgradeneeded`. push: the record and an outbox entry (auto-incremented mutation id) in one raw transaction per write; then a hand-written loop posting 500 outbox entries per `/v1/push` and deleting them once applied. cold-open: `indexedDB.open(name)` then a `get` in a readonly transaction.',
  'raw-cursor':
    'upversion only: the naive migration, `openCursor()` + `cursor.update()` + `continue()` per record inside the versionchange transaction. Measured once.',
  'raw-index':
    "search: a raw readonly transaction walking `index('byToken').openCursor(range)`, resuming each next page with `continuePrimaryKey(lastToken, lastId)`.",
  dexie:
    'cold-open: `new Dexie(name)` with the same `version(1).stores(...)` declaration, then `table.get(id)` (Dexie opens on first use).',
};
