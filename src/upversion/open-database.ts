import { DatabaseVersionError } from '../errors/database-version-error.js';
import { type IdbSyncError, isIdbSyncError } from '../errors/idb-sync-error.js';
import { IndexedDBError } from '../errors/indexeddb-error.js';
import { IndexedDBUnavailableError } from '../errors/indexeddb-unavailable-error.js';
import { SchemaMismatchError } from '../errors/schema-mismatch-error.js';
import { UpgradeFailedError } from '../errors/upgrade-failed-error.js';
import { domExceptionName, wrapDomException } from '../errors/wrap-dom-exception.js';
import { Multicast } from '../rx/multicast.js';
import type { Observable } from '../rx/observable.js';
import { applyUpgrade, type UpgradeOutcome } from './apply-upgrade.js';
import { appVersionOf, type DeclaredSchema } from './declare-schema.js';
import { createMarker, type MarkerRecord } from './meta-records.js';
import { type OpenedConnection, type OpenPhase, requestOpen } from './request-open.js';
import { isForwardCompatible, verifySchema, writeMarker } from './verify-schema.js';

/** What an open needs. */
export interface OpenSettings {
  readonly factory: IDBFactory;
  readonly schema: DeclaredSchema;
  /** Records per migration page. */
  readonly migrationBatchSize: number;
  /** How long an async migration's page may take to settle, in milliseconds. */
  readonly migrationSettleTimeoutMs: number;
  /** The IndexedDB version last seen (after a versionchange), to skip a round trip. */
  readonly knownIdbVersion?: number | undefined;
}

/** An open connection on the declared schema. */
export interface OpenedDatabase {
  readonly db: IDBDatabase;
  /** The upgrade this open ran, if it ran one. */
  readonly upgrade: UpgradeOutcome | undefined;
  readonly marker: MarkerRecord;
  /** `_meta` existed but its marker was gone: the database was emptied under us (eviction). */
  readonly markerWasMissing: boolean;
  /** The database did not exist before this open. */
  readonly created: boolean;
  /**
   * The app version on disk: the declared one, or a newer one when newer code (another tab) upgraded
   * the database without touching the stores this code declares (see {@link isForwardCompatible}).
   */
  readonly liveVersion: number;
}

/** An open in progress. It has no timeout of its own: see {@link waitForOpen}. */
export interface OpenAttempt {
  readonly phase$: Observable<OpenPhase>;
  readonly result: Promise<OpenedDatabase>;
}

/** Starts opening; `before` runs first (the Safari readiness wait). */
export function startOpen(settings: OpenSettings, before?: () => Promise<void>): OpenAttempt {
  const phase$ = new Multicast<OpenPhase>('waiting');
  const result = (before ? before() : Promise.resolve())
    .then(() => openDatabase(settings, (phase) => phase$.next(phase)))
    .finally(() => phase$.complete());
  result.catch(() => {}); // reported to whoever waits; an abandoned attempt must not be unhandled
  return { phase$: phase$.asObservable(), result };
}

// A few rounds cover: newer IndexedDB version on disk, a database deleted between two requests,
// a self-healing bump, and another tab healing at the same time.
const maxRounds = 5;

/**
 * Opens the database at the declared version, upgrading it if needed, then makes sure what is on
 * disk matches the declaration:
 * - `VersionError`: the IndexedDB version is higher. In the same app version (system stores of a
 *   newer SDK, an earlier healing) the current version is opened; a newer app version is a
 *   {@link DatabaseVersionError}.
 * - Missing stores or indexes at the same version are added by a bump of one ("additive" upgrade,
 *   which never deletes or changes anything, so tabs running different code cannot undo each other).
 * - A changed store or index at the same version is a {@link SchemaMismatchError}.
 * - `_meta` without its marker: the database was emptied (eviction); a new marker is written.
 */
export async function openDatabase(
  settings: OpenSettings,
  onPhase: (phase: OpenPhase) => void,
): Promise<OpenedDatabase> {
  const { factory, schema } = settings;
  const latest = schema.latest.version;
  let version = preferredVersion(settings);
  let mode: 'full' | 'additive' = 'full';
  for (let round = 0; round < maxRounds; round++) {
    let opened: OpenedConnection;
    try {
      const upgradeMode = mode;
      opened = await requestOpen(factory, schema.name, version, {
        onPhase,
        upgrade: (db, tx, event) =>
          applyUpgrade({
            schema,
            db,
            tx,
            oldIdbVersion: event.oldVersion,
            newIdbVersion: event.newVersion ?? db.version,
            mode: upgradeMode,
            migrations: {
              batchSize: settings.migrationBatchSize,
              settleTimeoutMs: settings.migrationSettleTimeoutMs,
              cmp: (a, b) => factory.cmp(a, b),
            },
          }),
      });
    } catch (error) {
      if (domExceptionName(error) !== 'VersionError') throw openError(schema.name, error);
      const current = await requestOpen(factory, schema.name, undefined, { onPhase }).catch(() => undefined);
      onPhase('checking');
      if (!current) {
        version = schema.idbVersion; // deleted since the first request: create it
        mode = 'full';
        continue;
      }
      const onDisk = appVersionOf(current.db.version);
      if (onDisk > latest) {
        // Newer code upgraded the database. Keep working if it left this code's stores alone.
        const check = await verifySchema(current.db, schema).catch(() => undefined);
        if (check?.marker && isForwardCompatible(schema, check)) {
          return {
            db: current.db,
            upgrade: undefined,
            marker: check.marker,
            markerWasMissing: false,
            created: false,
            liveVersion: onDisk,
          };
        }
        current.db.close();
        throw new DatabaseVersionError(schema.name, latest, onDisk, error);
      }
      if (onDisk < latest) {
        current.db.close(); // recreated by older code in between: upgrade it
        version = schema.idbVersion;
        mode = 'full';
        continue;
      }
      opened = current;
    }
    onPhase('checking');
    const { db, upgrade } = opened;
    if (upgrade) {
      const outcome = upgrade.outcome();
      if (!outcome) {
        // Cannot happen unless the versionchange transaction committed early; say so rather than guess.
        db.close();
        throw new UpgradeFailedError(
          schema.name,
          0,
          latest,
          latest,
          undefined,
          new Error('upgrade committed unfinished'),
        );
      }
      const { marker, markerWasMissing } = outcome;
      return {
        db,
        upgrade: outcome,
        marker,
        markerWasMissing,
        created: outcome.report.fromIdbVersion === 0,
        liveVersion: latest,
      };
    }
    let check: Awaited<ReturnType<typeof verifySchema>>;
    try {
      check = await verifySchema(db, schema);
    } catch (error) {
      db.close(); // most likely closed by another tab's versionchange meanwhile: open again
      if (round === maxRounds - 1) throw openError(schema.name, error);
      continue;
    }
    if (check.changed.length > 0) {
      db.close();
      throw new SchemaMismatchError(schema.name, latest, check.changed);
    }
    if (check.missing.length > 0) {
      db.close();
      version = db.version + 1;
      mode = 'additive';
      if (appVersionOf(version) !== latest) throw new SchemaMismatchError(schema.name, latest, check.missing);
      continue;
    }
    if (check.marker) {
      return {
        db,
        upgrade: undefined,
        marker: check.marker,
        markerWasMissing: false,
        created: false,
        liveVersion: latest,
      };
    }
    const marker = createMarker();
    try {
      await writeMarker(db, marker);
    } catch (error) {
      db.close();
      throw openError(schema.name, error);
    }
    return { db, upgrade: undefined, marker, markerWasMissing: true, created: false, liveVersion: latest };
  }
  throw new IndexedDBError({ database: schema.name, operation: 'open' }, 'InvalidStateError');
}

function preferredVersion(settings: OpenSettings): number {
  const { knownIdbVersion: known, schema } = settings;
  return known !== undefined && appVersionOf(known) === schema.latest.version && known > schema.idbVersion
    ? known
    : schema.idbVersion;
}

function openError(database: string, error: unknown): IdbSyncError {
  if (isIdbSyncError(error)) return error;
  // Firefox private browsing (before 115) and some embedded webviews fail every open this way.
  if (domExceptionName(error) === 'InvalidStateError')
    return new IndexedDBUnavailableError(database, 'open-failed', error);
  return wrapDomException(error, { database, operation: 'open' });
}
