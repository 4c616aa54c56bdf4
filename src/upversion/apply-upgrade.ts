import { UpgradeFailedError } from '../errors/upgrade-failed-error.js';
import { isDomExceptionLike, wrapDomException } from '../errors/wrap-dom-exception.js';
import { TxScope } from '../idb/tx-scope.js';
import { series } from '../idb/tx-sequence.js';
import { appVersionOf, type DeclaredSchema, type DeclaredVersion } from './declare-schema.js';
import { diffSchema, type IndexRef } from './diff-schema.js';
import { type LiveSchema, readLiveSchema } from './live-schema.js';
import { createMarker, type MarkerRecord, metaKeys, type SchemaRecord } from './meta-records.js';
import { type MigrationSettings, migrateStore } from './migrate-records.js';
import { copyKeyPath, createStore, rebuildStore } from './rebuild-store.js';
import { META_STORE } from './system-stores.js';
import type { UpgradeReport } from './upgrade-report.js';

/** Everything an upgrade needs, from inside `upgradeneeded`. */
export interface UpgradeInput {
  readonly schema: DeclaredSchema;
  /** The connection being upgraded and its versionchange transaction. */
  readonly db: IDBDatabase;
  readonly tx: IDBTransaction;
  readonly oldIdbVersion: number;
  readonly newIdbVersion: number;
  /**
   * `full`: run every declared step after the old version (deletes, rebuilds, migrations).
   * `additive`: only create what is missing from the latest version (self-healing, same app version).
   */
  readonly mode: 'full' | 'additive';
  readonly migrations: Omit<MigrationSettings, 'keepAliveStore'>;
}

/** What a finished upgrade leaves behind. */
export interface UpgradeOutcome {
  readonly report: UpgradeReport;
  readonly marker: MarkerRecord;
  /** `_meta` existed but had lost its marker: the database was emptied under us. */
  readonly markerWasMissing: boolean;
}

/** A running upgrade. */
export interface RunningUpgrade {
  /** Settles before the versionchange transaction commits; rejects with {@link UpgradeFailedError}. */
  readonly done: Promise<UpgradeOutcome>;
  /** The failure, as soon as there is one (also for aborts nobody saw coming). */
  readonly failure: () => UpgradeFailedError | undefined;
  /** The outcome once the upgrade finished (checked synchronously when the open succeeds). */
  readonly outcome: () => UpgradeOutcome | undefined;
}

/**
 * Diffs the live database against each declared version after the old one and applies the
 * differences inside the versionchange transaction: deletes stores, creates stores and indexes,
 * recreates changed indexes, rebuilds stores whose keyPath changed, runs migrations, and writes the
 * upgrade report, schema fingerprints and marker to `_meta`. It never deletes the database; any
 * failure aborts the transaction, which leaves the old version and data in place.
 */
export function applyUpgrade(input: UpgradeInput): RunningUpgrade {
  const { schema, db, tx } = input;
  const fromVersion = appVersionOf(input.oldIdbVersion);
  const toVersion = schema.latest.version;
  let position: { version: number; migration?: string } = { version: toVersion };
  let resolve!: (outcome: UpgradeOutcome) => void;
  let reject!: (error: unknown) => void;
  const done = new Promise<UpgradeOutcome>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  done.catch(() => {}); // the open reports the failure; nobody else must see an unhandled rejection
  const describe = (error: unknown): UpgradeFailedError => {
    if (error instanceof UpgradeFailedError) return error;
    const cause = isDomExceptionLike(error)
      ? wrapDomException(error, {
          database: schema.name,
          operation: 'upgrade',
          ...storesOf(position.migration),
        })
      : error;
    return new UpgradeFailedError(
      schema.name,
      fromVersion,
      toVersion,
      position.version,
      position.migration,
      cause,
    );
  };
  const run = new TxScope(tx, { describe, onFail: reject });
  const settings: MigrationSettings = { ...input.migrations, keepAliveStore: META_STORE };

  const steps = planSteps(schema, input.oldIdbVersion, input.mode);
  let start: LiveSchema = {};
  let outcome: UpgradeOutcome | undefined;
  const track = {
    wiped: new Set<string>(),
    structural: new Set<string>(),
    rebuilt: new Set<string>(),
    rebuiltIndexes: new Map<string, IndexRef>(),
    deletedIndexes: new Map<string, IndexRef>(),
    migrated: new Set<string>(),
  };
  const indexKey = (ref: IndexRef) => `${ref.store}\u0000${ref.index}`;

  const applyStep = (step: Step, next: () => void): void => {
    position = { version: step.version.version };
    const target = step.version.stores;
    const diff = diffSchema(readLiveSchema(db, tx), target);
    const additive = input.mode === 'additive';
    if (!additive) {
      for (const name of diff.deleteStores) {
        db.deleteObjectStore(name);
        track.wiped.add(name);
      }
      for (const ref of [...diff.deleteIndexes, ...diff.recreateIndexes]) {
        tx.objectStore(ref.store).deleteIndex(ref.index);
        track.structural.add(ref.store);
        if (diff.deleteIndexes.includes(ref)) track.deletedIndexes.set(indexKey(ref), ref);
      }
    }
    for (const name of diff.createStores) createStore(db, target[name]!);
    for (const ref of [...(additive ? [] : diff.recreateIndexes), ...diff.createIndexes]) {
      const index = target[ref.store]!.indexes[ref.index]!;
      tx.objectStore(ref.store).createIndex(ref.index, copyKeyPath(index.keyPath), {
        unique: index.unique,
        multiEntry: index.multiEntry,
      });
      track.structural.add(ref.store);
      track.rebuiltIndexes.set(indexKey(ref), ref);
      track.deletedIndexes.delete(indexKey(ref));
    }
    const migrationOf = (store: string) =>
      step.migrate ? step.version.migrations.find((m) => m.store === store) : undefined;
    const rebuilds = additive ? [] : diff.rebuildStores;
    series(
      run,
      rebuilds,
      (name, nextRebuild) => {
        const migration = migrationOf(name);
        position = { version: step.version.version, ...(migration ? { migration: name } : {}) };
        rebuildStore(run, db, target[name]!, migration, step.version.version, settings, () => {
          track.rebuilt.add(name);
          track.structural.add(name);
          if (migration) track.migrated.add(name);
          for (const index of Object.keys(target[name]!.indexes)) {
            track.rebuiltIndexes.set(indexKey({ store: name, index }), { store: name, index });
          }
          nextRebuild();
        });
      },
      () => {
        const inPlace = (step.migrate ? step.version.migrations : []).filter(
          (m) => !diff.createStores.includes(m.store) && !rebuilds.includes(m.store),
        );
        series(
          run,
          inPlace,
          (migration, nextMigration) => {
            position = { version: step.version.version, migration: migration.store };
            migrateStore(run, migration, step.version.version, target[migration.store]!, settings, () => {
              track.migrated.add(migration.store);
              nextMigration();
            });
          },
          next,
        );
      },
    );
  };

  const finish = (previousSchema: SchemaRecord | undefined): void => {
    position = { version: toVersion };
    const end = readLiveSchema(db, tx);
    const latest = schema.latest.stores;
    const started = (name: string) => name in start && !track.wiped.has(name);
    const endNames = Object.keys(end);
    const createdStores = endNames.filter((name) => !started(name));
    const kept = (ref: IndexRef) => ref.store in end && started(ref.store);
    const report: UpgradeReport = {
      database: schema.name,
      fromVersion,
      toVersion,
      fromIdbVersion: input.oldIdbVersion,
      toIdbVersion: input.newIdbVersion,
      appliedVersions: steps.map((step) => step.version.version),
      createdStores,
      deletedStores: Object.keys(start).filter((name) => !(name in end)),
      changedStores: endNames.filter((name) => {
        if (!started(name)) return false;
        const before = previousSchema?.stores[name]?.fingerprint;
        return track.structural.has(name) || (before !== undefined && before !== latest[name]?.fingerprint);
      }),
      rebuiltStores: [...track.rebuilt].filter((name) => name in end && started(name)),
      rebuiltIndexes: [...track.rebuiltIndexes.values()].filter(kept),
      deletedIndexes: [...track.deletedIndexes.values()].filter(kept),
      migratedStores: [...track.migrated].filter((name) => name in end),
      fingerprints: Object.fromEntries(
        endNames.flatMap((n) => (latest[n] ? [[n, latest[n].fingerprint]] : [])),
      ),
      kinds: Object.fromEntries(endNames.flatMap((n) => (latest[n] ? [[n, latest[n].kind]] : []))),
      at: Date.now(),
    };
    const meta = tx.objectStore(META_STORE);
    const markerRequest = meta.get(metaKeys.marker);
    run.on(markerRequest, (existing: MarkerRecord | undefined) => {
      const marker = existing ?? createMarker();
      if (!existing) run.on(meta.put(marker));
      const schemaRecord: SchemaRecord = {
        key: 'schema',
        version: toVersion,
        idbVersion: input.newIdbVersion,
        stores: Object.fromEntries(
          Object.values(latest).map((s) => [
            s.name,
            { kind: s.kind, fingerprint: s.fingerprint, stableSince: s.stableSince },
          ]),
        ),
      };
      run.on(meta.put(schemaRecord));
      run.on(meta.put({ key: metaKeys.report(input.newIdbVersion), ...report }), () => {
        outcome = {
          report,
          marker,
          markerWasMissing: !existing && META_STORE in start && input.oldIdbVersion > 0,
        };
        resolve(outcome);
      });
    });
  };

  run.guard(() => {
    start = readLiveSchema(db, tx);
    const begin = (previous: SchemaRecord | undefined) =>
      series(run, steps, applyStep, () => finish(previous));
    if (!(META_STORE in start)) return begin(undefined);
    run.on(tx.objectStore(META_STORE).get(metaKeys.schema), (record: SchemaRecord | undefined) =>
      begin(record),
    );
  });

  return {
    done,
    failure: () => (run.failed ? (run.error as UpgradeFailedError) : undefined),
    outcome: () => outcome,
  };
}

interface Step {
  readonly version: DeclaredVersion;
  /** Whether the step's migrations run (not for a new database or a self-healing pass). */
  readonly migrate: boolean;
}

/** The declared versions to apply, in order, for an upgrade from `oldIdbVersion`. */
export function planSteps(schema: DeclaredSchema, oldIdbVersion: number, mode: 'full' | 'additive'): Step[] {
  // A new database gets the latest version directly: there is no data to migrate.
  if (oldIdbVersion === 0 || mode === 'additive') return [{ version: schema.latest, migrate: false }];
  const from = appVersionOf(oldIdbVersion);
  const steps = schema.versions
    .filter((v) => v.version > from)
    .map((version) => ({ version, migrate: true }));
  // Same app version, newer system stores: bring the structure up to date without re-running migrations.
  return steps.length > 0 ? steps : [{ version: schema.latest, migrate: false }];
}

function storesOf(store: string | undefined): { stores?: readonly string[] } {
  return store === undefined ? {} : { stores: [store] };
}
