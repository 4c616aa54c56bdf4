import type { Database } from '../db/database.js';
import type { LogEntry } from '../http/request-log.js';

/**
 * Where a sync server keeps its data. Made by {@link postgresStorage} or {@link pgliteStorage};
 * {@link createSyncServer} opens it once, at start, and closes it with the server.
 */
export interface SyncStorage {
  /** `postgres` or `pglite`: for messages and the few tuning differences. */
  readonly kind: 'postgres' | 'pglite';
  /**
   * Opens the database. `migrate` says whether the server will install or update its schema right
   * after (an in-memory PGlite then starts from a ready-made copy of the schema). `log` receives
   * what has no request to fail (a pooled connection lost while idle).
   */
  open(options: { migrate: boolean; log?: (entry: LogEntry) => void }): Promise<Database>;
  /** Whether the server closes the database on close; `false` for a database the caller opened. */
  readonly owned: boolean;
}

/** Serves a database opened by the caller; the server never closes it. */
export function databaseStorage(db: Database): SyncStorage {
  return { kind: db.kind, owned: false, open: async () => db };
}
