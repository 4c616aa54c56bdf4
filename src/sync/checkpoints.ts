import { type ConnectionSource, transact } from '../idb/transact.js';
import { LOOKUP_TOKENS_VERSION } from '../query/lookup-tokens.js';
import { CHECKPOINT_STORE, type CheckpointRecord } from './internal-stores.js';

/** Every saved collection checkpoint, by collection. */
export function readCheckpoints(connect: ConnectionSource): Promise<Map<string, CheckpointRecord>> {
  return transact(connect, [CHECKPOINT_STORE], 'readonly', (scope) => {
    const map = new Map<string, CheckpointRecord>();
    scope.on(scope.store(CHECKPOINT_STORE).getAll(), (records: CheckpointRecord[]) => {
      for (const r of records) map.set(r.collection, r);
    });
    return () => map;
  });
}

/**
 * Applies `update` to collection checkpoints in one transaction (reading and writing them together,
 * so two updates never lose each other's fields). `update` returns the new record, or `undefined` to
 * leave it as it is.
 */
export function updateCheckpoints(
  connect: ConnectionSource,
  collections: readonly string[],
  update: (collection: string, current: CheckpointRecord | undefined) => CheckpointRecord | undefined,
): Promise<Map<string, CheckpointRecord>> {
  return transact(connect, [CHECKPOINT_STORE], 'readwrite', (scope) => {
    const store = scope.store(CHECKPOINT_STORE);
    const written = new Map<string, CheckpointRecord>();
    scope.all(
      collections.map((c) => store.get(c) as IDBRequest<CheckpointRecord | undefined>),
      (records) => {
        collections.forEach((collection, i) => {
          const next = update(collection, records[i]);
          if (next === undefined) return;
          store.put(next);
          written.set(collection, next);
        });
      },
    );
    return () => written;
  });
}

/**
 * A checkpoint starting a red or full sync from the beginning, under database version `schemaVersion`;
 * `rederive`: rewrite records already at the pulled revision too (their derived fields are outdated).
 */
export function startedSnapshot(
  collection: string,
  mode: 'red' | 'full',
  schemaVersion: number,
  rederive = false,
): CheckpointRecord {
  return {
    collection,
    phase: 'snapshot',
    snapshotMode: mode,
    token: null,
    cursor: null,
    done: 0,
    schemaVersion,
    derivedWith: LOOKUP_TOKENS_VERSION,
    ...(rederive ? { rederive: true as const } : {}),
    updatedAt: Date.now(),
  };
}
