import { type DatabaseHandle, type DefineDatabaseOptions, defineDatabase } from '../db/define-database.js';
import { UnpushedWritesError } from '../errors/unpushed-writes-error.js';
import type { ConnectionSource } from '../idb/connection.js';
import { OUTBOX_STORE } from '../sync/internal-stores.js';
import { createSyncClient, type LiveSyncClient, type SyncClient } from '../sync/sync-client.js';
import type { LiveSyncClientOptions, SyncClientOptions } from '../sync/sync-options.js';
import { userDatabaseName } from './database-name.js';

/** Options of {@link openSession}. */
export interface SessionOptions<S = unknown> {
  /** The app's name: the prefix of its database names. */
  readonly appName: string;
  /** The signed-in user. Hashed into the database name; never stored in clear by the SDK. */
  readonly userId: string;
  /** The database declaration, without its name (the session derives it). */
  readonly database: Omit<DefineDatabaseOptions<S>, 'name'>;
}

/** Options of {@link Session.signOut}. */
export interface SignOutOptions {
  /** Push unacknowledged local writes before deleting (through the session's sync clients). Default `true`. */
  readonly push?: boolean;
  /** Delete even if local writes could not be pushed, dropping them. Default `false`. */
  readonly force?: boolean;
  /** Time limit of the database deletion (`DeleteBlockedError` after it). Default: the handle's `deleteTimeoutMs`. */
  readonly timeoutMs?: number;
}

/** What {@link Session.signOut} did. */
export interface SignOutReport {
  /** The deleted database. */
  readonly database: string;
  /** True when a push was attempted and left no write behind. */
  readonly pushed: boolean;
  /** Unacknowledged local writes dropped (only with `force`). */
  readonly droppedWrites: number;
}

/** One signed-in user's data on this device: their own database and the sync clients on it. */
export interface Session<S = unknown> {
  /** The signed-in user. */
  readonly userId: string;
  /** The user's database name (see {@link userDatabaseName}). */
  readonly databaseName: string;
  /** The user's database handle. */
  readonly database: DatabaseHandle<S>;
  /**
   * Creates a live sync client on the user's database (`createSyncClient`'s one-call form, without
   * `database`); `signOut()` pushes through it and closes it.
   */
  createSyncClient(options: Omit<LiveSyncClientOptions<S>, 'database'>): LiveSyncClient<S>;
  /** The advanced form (a transport you built) on the user's database; `signOut()` pushes through it and closes it. */
  createSyncClient(options: Omit<SyncClientOptions<S>, 'database'>): SyncClient<S>;
  /**
   * Signs the user out of this device: pushes unacknowledged writes (unless `push: false`), then
   * closes the sync clients and deletes the user's database, outbox and conflict log included.
   * Rejects with `UnpushedWritesError`, deleting nothing, when writes would be dropped without `force`.
   */
  signOut(options?: SignOutOptions): Promise<SignOutReport>;
}

/**
 * Opens a user's session: a database named per user (so a second user of the same browser sees
 * none of the first one's data) and a factory of sync clients on it. Opens no database yet.
 *
 * @example
 * const session = await openSession({ appName: 'field-app', userId, database: { versions } });
 * const client = session.createSyncClient({ url: 'https://sync.example.com', getToken: () => token });
 * await client.start();
 * // …
 * await session.signOut(); // pushes, then deletes this user's data
 */
export async function openSession<S = unknown>(options: SessionOptions<S>): Promise<Session<S>> {
  const databaseName = await userDatabaseName(options.appName, options.userId);
  const database = defineDatabase<S>({ ...options.database, name: databaseName } as DefineDatabaseOptions<S>);
  const clients: SyncClient<S>[] = [];
  let signedOut = false;
  return {
    userId: options.userId,
    databaseName,
    database,
    createSyncClient(
      clientOptions: Omit<LiveSyncClientOptions<S>, 'database'> | Omit<SyncClientOptions<S>, 'database'>,
    ) {
      if (signedOut) throw new DOMException('The session was signed out', 'InvalidStateError');
      const client = createSyncClient<S>({ ...clientOptions, database } as SyncClientOptions<S>);
      clients.push(client);
      return client as LiveSyncClient<S>;
    },
    async signOut({ push = true, force = false, timeoutMs } = {}) {
      let failure: unknown;
      const first = clients[0];
      // Without a sync client there is no transport to push with: pending writes can only be dropped.
      if (push && first !== undefined) {
        const summary = await first.sync({ collections: [] });
        if (summary.error !== undefined) failure = summary.error;
      }
      const pending = await countOutbox(database);
      const pushed = push && first !== undefined && pending === 0;
      if (pending > 0 && !force) {
        throw new UnpushedWritesError(databaseName, pending, failure === undefined ? {} : { cause: failure });
      }
      signedOut = true;
      for (const client of clients.splice(0)) await client.close();
      await database.deleteDatabase(timeoutMs === undefined ? {} : { timeoutMs });
      return { database: databaseName, pushed, droppedWrites: pending };
    },
  };
}

/** Writes waiting in the outbox, read straight from the database (any tab's client may have queued them). */
async function countOutbox(database: object): Promise<number> {
  const connection = (await (database as unknown as ConnectionSource).connect()).raw;
  if (!connection.objectStoreNames.contains(OUTBOX_STORE)) return 0;
  return new Promise((resolve, reject) => {
    const request = connection.transaction(OUTBOX_STORE).objectStore(OUTBOX_STORE).count();
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}
