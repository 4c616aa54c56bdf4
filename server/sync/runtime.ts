import type { CollectionConfig, ServerOptions } from '../config.js';
import type { Database } from '../db/database.js';
import { Lifecycle } from '../http/lifecycle.js';
import { RateLimiter } from '../http/rate-limit.js';
import type { LogEntry } from '../http/request-log.js';
import { Sessions } from '../http/sessions.js';
import type { ChangeBus } from '../notify/change-bus.js';
import { localNotifier, type Notifier } from '../notify/notifier.js';
import { canServe, type SchemaStatus, schemaStatus } from '../schema/schema-manager.js';
import type { CollectionStore } from '../storage/collection-store.js';
import { recordsTable } from '../storage/records-table-store.js';
import { ProtocolError } from './protocol-error.js';

/** Options with every default filled in. */
type OptionalKeys =
  | 'database'
  | 'dataDir'
  | 'databaseUrl'
  | 'pgSchema'
  | 'adminToken'
  | 'authenticate'
  | 'canWrite'
  | 'pool'
  | 'cors'
  | 'rateLimit';
export type ResolvedOptions = Required<Omit<ServerOptions, OptionalKeys>> & {
  [K in OptionalKeys]: ServerOptions[K] | undefined;
};

/** Secrets and identity of the database, read once from its `meta` table. */
export interface DatabaseMeta {
  epoch: string;
  checkpointSecret: string;
}

/** Everything request handlers share. */
export class Runtime {
  readonly collections: ReadonlyMap<string, CollectionConfig>;
  /** In-flight requests and the draining state (readiness, graceful shutdown). */
  readonly lifecycle = new Lifecycle();
  /** Per-token rate limit, when configured. */
  readonly rateLimiter: RateLimiter | undefined;
  /** Live SSE and WebSocket sessions: token re-checks, lifetime, per-user caps. */
  readonly sessions: Sessions;
  /** Relays changes and revocations to the other instances (PostgreSQL); a no-op on PGlite. */
  notifier: Notifier = localNotifier;
  #meta: DatabaseMeta | undefined;
  #status: SchemaStatus | undefined;
  #statusCheckedAt = 0;

  constructor(
    readonly db: Database,
    readonly options: ResolvedOptions,
    readonly bus: ChangeBus,
    readonly log: (entry: LogEntry) => void,
  ) {
    this.collections = new Map(options.collections.map((c) => [c.name, c]));
    this.rateLimiter = options.rateLimit === undefined ? undefined : new RateLimiter(options.rateLimit);
    this.sessions = new Sessions(this);
  }

  /** The collection's config, or `UNKNOWN_COLLECTION`. */
  collection(name: string): CollectionConfig {
    const config = this.collections.get(name);
    if (config === undefined) {
      throw new ProtocolError('UNKNOWN_COLLECTION', `Unknown collection "${name}"`, { collection: name });
    }
    return config;
  }

  /** Where the collection's records live: its `store`, else the server's `records` table. */
  store(collection: CollectionConfig): CollectionStore {
    return collection.store ?? recordsTable;
  }

  /** The owner key of `user`'s records in `collection`: the user id, or '' for shared collections. */
  owner(collection: CollectionConfig, userId: string): string {
    return collection.scope === 'shared' ? '' : userId;
  }

  /**
   * Refuses sync (`SERVER_SCHEMA_OUTDATED`) while the database schema cannot be served. A good
   * status is cached; a bad one is re-read at most once a second, so a `schema update` run from
   * another process is picked up without a restart.
   */
  async requireServableSchema(): Promise<DatabaseMeta> {
    const now = Date.now();
    if (
      this.#status === undefined ||
      (!canServe(this.#status.state) && now - this.#statusCheckedAt >= 1000)
    ) {
      this.#status = await schemaStatus(this.db);
      this.#statusCheckedAt = now;
    }
    if (!canServe(this.#status.state)) {
      throw new ProtocolError(
        'SERVER_SCHEMA_OUTDATED',
        this.#status.state === 'none'
          ? 'The server database has no schema; run `schema install`'
          : 'The server database schema is too old; run `schema update`',
        { status: this.#status.state, installed: this.#status.installed, minimum: this.#status.minimum },
      );
    }
    this.#meta ??= await readMeta(this.db);
    return this.#meta;
  }

  /** Forgets the cached schema status and meta (after install/update or in tests). */
  invalidateSchema(): void {
    this.#status = undefined;
    this.#meta = undefined;
  }
}

async function readMeta(db: Database): Promise<DatabaseMeta> {
  const { rows } = await db.query<{ key: string; value: string }>(
    `SELECT key, value FROM meta WHERE key IN ('epoch', 'checkpoint_secret')`,
  );
  const get = (key: string) => {
    const value = rows.find((r) => r.key === key)?.value;
    if (value === undefined) throw new Error(`meta.${key} is missing`);
    return value;
  };
  return { epoch: get('epoch'), checkpointSecret: get('checkpoint_secret') };
}
