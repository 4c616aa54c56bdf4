import { SchemaDefinitionError } from '../errors/schema-definition-error.js';
import { fingerprintStore } from './fingerprint.js';
import type {
  IndexSpec,
  KeyPath,
  KeyType,
  RecordMigration,
  StoreKind,
  StoreSpec,
  VersionSpec,
} from './schema-types.js';
import { type SystemStoreSpec, systemStores } from './system-stores.js';

/** An index after validation, every default filled in. */
export interface DeclaredIndex {
  /** The index name. */
  readonly name: string;
  /** The record field(s) indexed. */
  readonly keyPath: KeyPath;
  /** Whether two records may not share a key. */
  readonly unique: boolean;
  /** Whether an array field indexes each of its elements. */
  readonly multiEntry: boolean;
}

/** A store after validation, every default filled in. */
export interface DeclaredStore {
  /** The store name. */
  readonly name: string;
  /** `null` for out-of-line keys. */
  readonly keyPath: KeyPath | null;
  /** Whether keys are generated. */
  readonly autoIncrement: boolean;
  /** `transactional`, `lookup` or `local`. */
  readonly kind: StoreKind;
  /** The type of the store's keys for sync (`'string'` unless declared; meaningful for synced stores). */
  readonly keyType: KeyType;
  /** The store's indexes by name. */
  readonly indexes: Readonly<Record<string, DeclaredIndex>>;
  /** True for the SDK's own stores (names starting with `_`). */
  readonly system: boolean;
  /** Stable hash of the definition (`fingerprintStore`). */
  readonly fingerprint: string;
  /**
   * The oldest declared version since which this store's definition and data shape are unchanged
   * (same fingerprint, no migration). Older code that declares at least this version can keep
   * using the store after newer code upgraded the database. Computed for the latest version only;
   * 0 for system stores and older versions.
   */
  readonly stableSince: number;
}

/** One store's migration in one version. */
export interface DeclaredMigration {
  readonly store: string;
  readonly batchSize: number | undefined;
  readonly migrate: RecordMigration;
}

/** One version after validation: the app's stores plus the system stores. */
export interface DeclaredVersion {
  readonly version: number;
  readonly stores: Readonly<Record<string, DeclaredStore>>;
  readonly migrations: readonly DeclaredMigration[];
}

/** A validated database declaration. */
export interface DeclaredSchema {
  readonly name: string;
  /** Versions in increasing order. */
  readonly versions: readonly DeclaredVersion[];
  readonly latest: DeclaredVersion;
  /** The SDK's system schema revision (highest `since` of the system stores). */
  readonly systemVersion: number;
  /** The IndexedDB version this declaration opens: {@link idbVersionFor}(latest, systemVersion). */
  readonly idbVersion: number;
}

/**
 * IndexedDB versions are `appVersion * VERSION_SPAN + systemRevision`: app version 3 with system
 * revision 1 is IndexedDB version 3001. The spare numbers in a span absorb system-store revisions
 * and self-healing bumps without touching the app's own numbering.
 */
export const VERSION_SPAN = 1000;

/** The IndexedDB version of an app version under a system schema revision. */
export function idbVersionFor(appVersion: number, systemVersion: number): number {
  return appVersion * VERSION_SPAN + systemVersion;
}

/** The app version an IndexedDB version belongs to (0 for a database that does not exist yet). */
export function appVersionOf(idbVersion: number): number {
  return Math.floor(idbVersion / VERSION_SPAN);
}

/**
 * Validates a version list and fills in defaults. Throws {@link SchemaDefinitionError} naming the
 * version and store at fault, so a bad declaration fails when its module loads, not on a user's device.
 */
export function declareSchema(name: string, versions: readonly VersionSpec[]): DeclaredSchema {
  const fail = (problem: string): never => {
    throw new SchemaDefinitionError(name, problem);
  };
  if (typeof name !== 'string' || name === '') fail('the database name must be a non-empty string');
  if (!Array.isArray(versions) || versions.length === 0) fail('declare at least one version');

  // The SDK's own stores (their `_` names and revisions are checked by declare-schema.test.ts).
  const system: Record<string, DeclaredStore> = {};
  for (const [storeName, store] of Object.entries(systemStores) as [string, SystemStoreSpec][]) {
    system[storeName] = declareStore(storeName, store, true, fail);
  }
  const systemVersion = Math.max(...Object.values(systemStores).map((s: SystemStoreSpec) => s.since));

  const declared: DeclaredVersion[] = [];
  let previous = 0;
  for (const spec of versions) {
    const { version } = spec;
    if (!Number.isSafeInteger(version) || version < 1)
      fail(`version ${String(version)} is not a positive integer`);
    if (version <= previous) fail(`version ${version} comes after ${previous}; versions must increase`);
    if (idbVersionFor(version, VERSION_SPAN) > Number.MAX_SAFE_INTEGER)
      fail(`version ${version} is too large`);
    previous = version;
    const stores: Record<string, DeclaredStore> = {};
    for (const [storeName, store] of Object.entries(spec.stores ?? {})) {
      if (storeName === '') fail(`version ${version} declares a store with an empty name`);
      if (storeName.startsWith('_')) {
        fail(
          `version ${version}: store "${storeName}" starts with "_", which is reserved for the SDK's own stores`,
        );
      }
      stores[storeName] = declareStore(storeName, store, false, (p) =>
        fail(`version ${version}, store "${storeName}": ${p}`),
      );
    }
    Object.assign(stores, system);
    const migrations: DeclaredMigration[] = [];
    for (const [storeName, migration] of Object.entries(spec.migrations ?? {})) {
      const where = `version ${version}, migration of "${storeName}"`;
      if (!(storeName in stores) || storeName.startsWith('_'))
        fail(`${where}: the version declares no such store`);
      const migrate = typeof migration === 'function' ? migration : migration?.migrate;
      if (typeof migrate !== 'function')
        fail(`${where}: a migration is a function or { migrate, batchSize? }`);
      const batchSize = typeof migration === 'function' ? undefined : migration.batchSize;
      if (batchSize !== undefined && (!Number.isSafeInteger(batchSize) || batchSize < 1)) {
        fail(`${where}: batchSize must be a positive integer`);
      }
      migrations.push({ store: storeName, batchSize, migrate: migrate as RecordMigration });
    }
    declared.push({ version, stores, migrations });
  }
  const last = versions[versions.length - 1]!;
  for (const [storeName, store] of Object.entries(declared[declared.length - 1]!.stores)) {
    if (!store.system)
      checkSyncedKey(store, (p) => fail(`version ${last.version}, store "${storeName}": ${p}`));
  }
  const latest = withStableSince(declared);
  declared[declared.length - 1] = latest;
  return {
    name,
    versions: declared,
    latest,
    systemVersion,
    idbVersion: idbVersionFor(latest.version, systemVersion),
  };
}

/** Fills in `stableSince` of the latest version's app stores by walking the versions backwards. */
function withStableSince(versions: readonly DeclaredVersion[]): DeclaredVersion {
  const latest = versions[versions.length - 1]!;
  const stores: Record<string, DeclaredStore> = {};
  for (const store of Object.values(latest.stores)) {
    let since = latest.version;
    for (let i = versions.length - 1; i > 0 && !store.system; i--) {
      const current = versions[i]!;
      const previous = versions[i - 1]!.stores[store.name];
      if (current.migrations.some((m) => m.store === store.name)) break;
      if (previous?.fingerprint !== store.fingerprint) break;
      since = versions[i - 1]!.version;
    }
    stores[store.name] = { ...store, stableSince: store.system ? 0 : since };
  }
  return { ...latest, stores };
}

const kinds: readonly StoreKind[] = ['transactional', 'lookup', 'local'];
const keyTypes: readonly KeyType[] = ['string', 'number'];

/**
 * A synced store's records travel with a string id that the store's key must map to one to one: a
 * single top-level key field, written by the app (not generated), holding a string or a number.
 * Checked for the latest version (older versions only describe what devices may still hold).
 */
function checkSyncedKey(store: DeclaredStore, fail: (problem: string) => never): void {
  if (store.kind === 'local') return;
  const kind = `a ${store.kind} store`;
  if (store.keyPath === null) {
    fail(
      `${kind} needs an in-line key (keyPath): give each record an id field, e.g. keyPath: 'id', and store the key there`,
    );
  }
  if (Array.isArray(store.keyPath)) {
    fail(
      `${kind} cannot have a compound key: map it to one string field (e.g. id: \`\${a}:\${b}\`) and index the parts`,
    );
  }
  if (typeof store.keyPath === 'string' && (store.keyPath === '' || store.keyPath.includes('.'))) {
    fail(`${kind} needs its key in a top-level field (keyPath 'id', not a nested path)`);
  }
  if (store.autoIncrement) {
    fail(
      `${kind} cannot use autoIncrement: ids must be chosen before the server sees the record (use crypto.randomUUID() or a server-assigned id)`,
    );
  }
}

function declareStore(
  name: string,
  spec: StoreSpec,
  system: boolean,
  fail: (problem: string) => never,
): DeclaredStore {
  if (typeof spec !== 'object' || spec === null) fail('the store definition must be an object');
  if (!kinds.includes(spec.kind)) fail(`kind must be one of ${kinds.join(', ')}`);
  const keyPath = spec.keyPath === undefined ? null : checkKeyPath(spec.keyPath, 'keyPath', fail);
  const keyType = spec.keyType ?? 'string';
  if (!keyTypes.includes(keyType)) {
    fail(
      `keyType must be 'string' or 'number' (got ${JSON.stringify(String(keyType))}): map dates to ISO strings or numbers of milliseconds, binary keys to hex or base64 strings`,
    );
  }
  const autoIncrement = spec.autoIncrement ?? false;
  // IndexedDB itself throws InvalidAccessError for these; say it in our words, at declaration time.
  if (autoIncrement && (Array.isArray(keyPath) || keyPath === '')) {
    fail('autoIncrement needs a single non-empty keyPath or none');
  }
  const indexes: Record<string, DeclaredIndex> = {};
  for (const [indexName, index] of Object.entries(spec.indexes ?? {}) as [string, IndexSpec][]) {
    const where = `index "${indexName}"`;
    if (indexName === '') fail('an index has an empty name');
    const indexKeyPath = checkKeyPath(index?.keyPath, `${where} keyPath`, fail);
    const multiEntry = index.multiEntry ?? false;
    if (multiEntry && Array.isArray(indexKeyPath))
      fail(`${where}: multiEntry cannot be used with a compound keyPath`);
    indexes[indexName] = {
      name: indexName,
      keyPath: indexKeyPath,
      unique: index.unique ?? false,
      multiEntry,
    };
  }
  const definition = { keyPath, autoIncrement, kind: spec.kind, keyType, indexes };
  return { name, ...definition, system, fingerprint: fingerprintStore(definition), stableSince: 0 };
}

function checkKeyPath(keyPath: unknown, what: string, fail: (problem: string) => never): KeyPath {
  if (typeof keyPath === 'string' && (keyPath === '' || validPath.test(keyPath))) return keyPath;
  if (
    Array.isArray(keyPath) &&
    keyPath.length > 0 &&
    keyPath.every((part) => typeof part === 'string' && validPath.test(part))
  ) {
    return Object.freeze([...keyPath]) as readonly string[];
  }
  return fail(`${what} must be a property path ("a" or "a.b") or a non-empty array of them`);
}

// Dot-separated identifiers, as IndexedDB requires (it would throw SyntaxError mid-upgrade).
const validPath =
  /^[\p{L}\p{Nl}$_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$\u200c\u200d]*(?:\.[\p{L}\p{Nl}$_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$\u200c\u200d]*)*$/u;
