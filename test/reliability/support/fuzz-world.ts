import type { Database } from '../../../server/db/database.js';
import { openDatabase } from '../../../server/db/open-database.js';
import { type RunningServer, startServer } from '../../../server/start-server.js';
import { defineDatabase } from '../../../src/db/define-database.js';
import type { PullRequest } from '../../../src/protocol/messages.js';
import { createSyncClient, type SyncClient } from '../../../src/sync/sync-client.js';
import type { SyncRequestOptions } from '../../../src/sync/sync-client-api.js';
import { createHttpTransport } from '../../../src/transport/http-transport.js';
import type { VersionSpec } from '../../../src/upversion/schema-types.js';
import {
  deleteTestDatabase,
  type TestDatabase,
  type TestStores,
  testVersion,
  withTestHelpers,
} from '../../sync/test-database.js';
import { Abandonment } from './abandonment.js';
import { codesOptions, withCodes } from './bad-records-world.js';
import { ChaosTransport } from './chaos-transport.js';
import { OriginLocks } from './tab-locks.js';

/** The fuzzed collections: one the clients write (transactional), one only the server edits (lookup). */
export const FUZZ_STORES: TestStores = {
  work_orders: { kind: 'transactional' },
  refs: { kind: 'lookup' },
};

/**
 * Schema v1, and v2 adding an index to `refs` (a schema change that forces a full sync of it). Both
 * have `codes`, a lookup store with a unique index (see `bad-records-world.ts`).
 */
export const FUZZ_VERSIONS: readonly VersionSpec[][] = [
  [withCodes(testVersion(1, FUZZ_STORES))],
  [withCodes(testVersion(1, FUZZ_STORES)), withCodes(testVersion(2, FUZZ_STORES, { refs: ['n'] }))],
];

/**
 * One reference server shared by every fuzzed sequence (each sequence is a fresh user, so it starts
 * from empty per-user collections), restartable on the same port and the same data.
 */
export class FuzzServer {
  #server: RunningServer | undefined;
  #port = 0;

  private constructor(readonly db: Database) {}

  static async start(): Promise<FuzzServer> {
    const db = await withoutWindowGlobal(() => openDatabase({}));
    const server = new FuzzServer(db);
    await server.#listen();
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  get admin(): RunningServer['admin'] {
    if (this.#server === undefined) throw new Error('the fuzz server is down');
    return this.#server.admin;
  }

  /** Stops the HTTP server (dropping its connections) and starts it again on the same data and port. */
  async restart(): Promise<void> {
    await this.#server?.close();
    this.#server = undefined;
    await this.#listen();
  }

  async close(): Promise<void> {
    await this.#server?.close();
    this.#server = undefined;
    await this.db.close();
  }

  async #listen(): Promise<void> {
    this.#server = await withoutWindowGlobal(() =>
      startServer({
        database: this.db,
        port: this.#port,
        compactionIntervalMs: 0,
        collections: [
          { name: 'work_orders', scope: 'user', readOnly: false },
          { name: 'refs', scope: 'user', readOnly: true },
          { name: 'codes', scope: 'user', readOnly: true },
        ],
        logger: () => undefined,
      }),
    );
    this.#port = this.#server.port;
  }
}

/** One app installation of the fuzz: a database (kept across reloads) and its current client. */
export class FuzzApp {
  db!: TestDatabase;
  transport!: ChaosTransport;
  client!: SyncClient;
  /** Index into {@link FUZZ_VERSIONS}. */
  schema = 0;
  /** The app ships the fixed `codes` transform (it no longer refuses poison records), from now on. */
  fixedTransform = false;
  /** Mutation ids sent by every instance so far. */
  readonly sent = new Set<number>();
  readonly mismatches: unknown[] = [];
  /** Web Locks of the app's origin, shared by its instances (a dead instance's locks are released). */
  readonly locks = new OriginLocks();

  constructor(
    readonly server: FuzzServer,
    readonly dbName: string,
    readonly token: string,
  ) {
    this.#open();
  }

  /** Closes this instance (as a reload or a dead tab would leave it) and opens a new one on the same database. */
  async reload(schema = this.schema): Promise<void> {
    await this.#closeInstance();
    this.schema = schema;
    this.#open();
  }

  async close(): Promise<void> {
    await this.#closeInstance();
    await deleteTestDatabase(this.dbName);
  }

  /**
   * Runs one sync; resolves when it ended or when an `abandon` fault killed this instance (its run
   * then never ends). Returns whether the instance is dead.
   */
  async syncOrDie(options?: SyncRequestOptions): Promise<boolean> {
    await Promise.race([this.client.sync(options), this.transport.abandonment.killed]);
    return this.transport.abandoned;
  }

  async #closeInstance(): Promise<void> {
    for (const id of this.transport.sentMutationIds) this.sent.add(id);
    this.mismatches.push(...this.transport.duplicateMismatches);
    // A dead instance's run never ends, so closing it is not awaited: it only stops its timers (a
    // closed tab runs none).
    if (this.transport.abandoned) {
      void this.client.close().catch(() => {});
      return;
    }
    await this.client.close();
    await this.db.close();
  }

  #open(): void {
    const versions = FUZZ_VERSIONS[this.schema]!;
    const abandonment = new Abandonment();
    this.db = openAbandonableDatabase(this.dbName, versions, abandonment.factory);
    this.transport = new ChaosTransport(
      createHttpTransport({
        baseUrl: this.server.url,
        schemaVersion: this.db.version,
        getToken: () => this.token,
        retry: { requestRetries: 0 },
      }),
      abandonment,
    );
    this.client = createSyncClient({
      database: this.db,
      transport: this.transport,
      locks: this.locks.forTab(abandonment),
      autoPush: false,
      collections: { work_orders: {}, refs: {}, codes: codesOptions(() => this.fixedTransform) },
      windowSize: 3,
      maxPushBatch: 3,
    });
  }

  /** Every mutation id sent by any instance of this app. */
  allSent(): Set<number> {
    return new Set([...this.sent, ...this.transport.sentMutationIds]);
  }

  allMismatches(): unknown[] {
    return [...this.mismatches, ...this.transport.duplicateMismatches];
  }
}

/** A test database on `factory` (an {@link Abandonment}'s), like `openTestDatabase`. */
export function openAbandonableDatabase(
  name: string,
  versions: readonly VersionSpec[],
  factory: IDBFactory,
): TestDatabase {
  const handle = defineDatabase({
    name,
    versions: versions as unknown as readonly [VersionSpec],
    blockedTimeoutMs: 5_000,
    evictionHintStorage: null,
    indexedDB: factory,
  });
  return withTestHelpers(handle);
}

/**
 * Checkpoint safety: the local data of `collection` plus every change the server has after the
 * saved checkpoint must equal the server's data. A checkpoint ahead of the written data would skip
 * changes the store does not have. Returns `undefined` when the collection is not in change-log
 * mode (a snapshot under way is checked by its atomic page writes instead).
 */
export async function dataBehindCheckpoint(
  app: FuzzApp,
  collection: string,
): Promise<Record<string, unknown> | undefined> {
  // Through the handle's read (one transaction core): an aborted transaction rejects this call
  // instead of leaving idb's `done` promise rejected with no handler.
  const checkpoint = (await app.db.read(['_checkpoints'], (tx) =>
    tx.objectStore('_checkpoints').get(collection),
  )) as { phase: string; token: string | null } | undefined;
  if (checkpoint === undefined || checkpoint.phase !== 'changes' || checkpoint.token === null)
    return undefined;
  const transport = createHttpTransport({
    baseUrl: app.server.url,
    schemaVersion: app.db.version,
    getToken: () => app.token,
    retry: { requestRetries: 0 },
  });
  const state = Object.fromEntries(
    (await app.db.all(collection)).map((r) => {
      const { _rev, ...rest } = r;
      return [String(r['id']), rest];
    }),
  );
  let request: PullRequest = { collection, checkpoint: checkpoint.token, windowSize: 100 };
  for (;;) {
    const page = await transport.pull(request);
    for (const change of page.changes) {
      if (change.op === 'put') state[change.id] = { ...change.value, id: change.id };
      else delete state[change.id];
    }
    if (!page.moreAvailable) return state;
    request = { ...request, checkpoint: page.checkpoint };
  }
}

/**
 * How many changes the server has after the saved checkpoint of `collection` (0 once a sync pulled
 * everything: the collection is not stuck behind a bad record). Throws when no full checkpoint is saved.
 */
export async function changesAfterCheckpoint(app: FuzzApp, collection: string): Promise<number> {
  const checkpoint = (await app.db.read(['_checkpoints'], (tx) =>
    tx.objectStore('_checkpoints').get(collection),
  )) as { phase: string; token: string | null } | undefined;
  if (checkpoint?.phase !== 'changes' || checkpoint.token === null)
    throw new Error(`${collection}: no checkpoint in changes mode (${JSON.stringify(checkpoint)})`);
  const transport = createHttpTransport({
    baseUrl: app.server.url,
    schemaVersion: app.db.version,
    getToken: () => app.token,
    retry: { requestRetries: 0 },
  });
  const page = await transport.pull({ collection, checkpoint: checkpoint.token, windowSize: 100 });
  return page.changes.length;
}

/** The server's alive records of a collection for `owner`, as `{ id → value }` with the id stamped in. */
export async function serverRecords(
  server: FuzzServer,
  collection: string,
  owner: string,
): Promise<Record<string, unknown>> {
  const { rows } = await server.db.query<{ id: string; value: Record<string, unknown> }>(
    `SELECT id, value FROM records WHERE collection = $1 AND owner = $2 AND NOT deleted ORDER BY id`,
    [collection, owner],
  );
  return Object.fromEntries(rows.map((r) => [r.id, { ...r.value, id: r.id }]));
}

/** PGlite takes `window` for a browser; the indexeddbshim setup defines one. Hide it while starting. */
async function withoutWindowGlobal<T>(start: () => Promise<T>): Promise<T> {
  const g = globalThis as { window?: unknown };
  const saved = Object.getOwnPropertyDescriptor(g, 'window');
  if (saved === undefined) return start();
  delete g.window;
  try {
    return await start();
  } finally {
    Object.defineProperty(g, 'window', saved);
  }
}
