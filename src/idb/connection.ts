/**
 * One IndexedDB connection of a database handle. `dead` turns true on `close`/`versionchange` or
 * when a transaction found it closed; a dead connection is never used again.
 */
export interface Connection {
  readonly raw: IDBDatabase;
  dead: boolean;
  /** Resolves when the browser dropped the connection (`close` event). */
  readonly lost: Promise<void>;
}

/**
 * Where every transaction of the SDK gets its connection: the database handle (`defineDatabase`),
 * which opens lazily and reopens after a versionchange, an eviction or a lost connection. The one
 * connection abstraction of db, upversion, sync and query.
 */
export interface ConnectionSource {
  /** The database name (for errors). */
  readonly database: string;
  /** How long a transaction may take to finish after its connection was dropped, in milliseconds. */
  readonly lostConnectionGraceMs: number;
  /** A live connection, opening one if needed. */
  connect(): Promise<Connection>;
  /** Drops a connection found dead, so the next `connect()` opens a fresh one. */
  discard(connection: Connection): void;
}
