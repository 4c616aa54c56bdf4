import { InvalidRecordError } from '../errors/invalid-record-error.js';
import type { TransformFn } from './record-transform.js';
import type { ResolvedCollection } from './run-context.js';
import type { CollectionOptions, SyncClientOptions } from './sync-options.js';

/**
 * The synced collections with their options resolved against the database's declaration: every
 * `transactional` and `lookup` store by default, or exactly those the app lists. Throws
 * `InvalidRecordError` for a store that cannot be synced.
 */
export function resolveCollections(options: SyncClientOptions): Map<string, ResolvedCollection> {
  const stores = options.database.stores;
  const names =
    options.collections === undefined
      ? Object.keys(stores).filter((s) => !s.startsWith('_') && stores[s]?.kind !== 'local')
      : Object.keys(options.collections);
  const resolved = new Map<string, ResolvedCollection>();
  for (const name of names) {
    const spec = stores[name];
    if (spec === undefined || spec.kind === 'local') {
      throw new InvalidRecordError(
        name,
        'a synced collection must be a declared transactional or lookup store',
      );
    }
    if (typeof spec.keyPath !== 'string') {
      throw new InvalidRecordError(name, 'a synced store needs a single-field key path');
    }
    const own: CollectionOptions = options.collections?.[name] ?? {};
    for (const hook of ['fromServer', 'toServer'] as const) {
      if (own[hook] !== undefined && typeof own[hook] !== 'function') {
        throw new InvalidRecordError(name, `its ${hook} option must be a function`);
      }
    }
    resolved.set(name, {
      name,
      kind: spec.kind,
      keyPath: spec.keyPath,
      keyType: spec.keyType ?? 'string',
      conflicts: own.conflicts ?? 'server-wins',
      windowSize: own.windowSize ?? options.windowSize ?? 500,
      priority: own.priority ?? 0,
      ...(own.filter === undefined ? {} : { filter: own.filter }),
      maxRecordBytes: own.maxRecordBytes,
      ...(own.fromServer === undefined ? {} : { fromServer: own.fromServer as TransformFn }),
      ...(own.toServer === undefined ? {} : { toServer: own.toServer as TransformFn }),
    });
  }
  return resolved;
}
