import { ConflictResolverError } from '../errors/conflict-resolver-error.js';
import type {
  Conflict,
  ConflictResolution,
  ConflictResolver,
  ConflictSide,
  ConflictStrategy,
} from './conflict-strategy.js';
import { threeWayMerge } from './three-way-merge.js';

/**
 * Applies a collection's conflict strategy to one conflict. Built-in strategies are pure; a custom
 * resolver may be async, and whatever it throws (or a non-object it returns) comes back as a
 * {@link ConflictResolverError} naming it.
 */
export async function resolveConflict<T>(
  strategy: ConflictStrategy<T>,
  conflict: Conflict<T>,
): Promise<ConflictResolution<T>> {
  if (typeof strategy === 'function') return runCustom(strategy.name || 'anonymous', strategy, conflict);
  if (strategy === 'server-wins') return pick(conflict, 'server', 'server-wins');
  if (strategy === 'client-wins') return pick(conflict, 'client', 'client-wins');
  switch (strategy.kind) {
    case 'last-write-wins':
      return lastWriteWins(conflict, strategy.field, strategy.tie ?? 'server');
    case 'merge':
      return merge(conflict, strategy.tie ?? 'server');
    case 'custom':
      return runCustom(strategy.name ?? (strategy.resolve.name || 'anonymous'), strategy.resolve, conflict);
  }
}

function pick<T>(conflict: Conflict<T>, side: ConflictSide, rule: string): ConflictResolution<T> {
  return { value: side === 'server' ? conflict.remote : conflict.local, rule, winner: side };
}

function lastWriteWins<T>(conflict: Conflict<T>, field: string, tie: ConflictSide): ConflictResolution<T> {
  const local = timestampOf(conflict.local, field);
  const remote = timestampOf(conflict.remote, field);
  if (local !== undefined && remote !== undefined && local !== remote) {
    return local > remote
      ? pick(conflict, 'client', 'last-write-wins:client-newer')
      : pick(conflict, 'server', 'last-write-wins:server-newer');
  }
  return pick(conflict, tie, `last-write-wins:tie-${tie}`);
}

/** Milliseconds since the epoch from a number, a `Date` or a date string; `undefined` when absent or unparsable. */
function timestampOf(value: unknown, field: string): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const raw = (value as Record<string, unknown>)[field];
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? undefined : raw.getTime();
  if (typeof raw === 'string') {
    const parsed = Date.parse(raw);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}

function merge<T>(conflict: Conflict<T>, tie: ConflictSide): ConflictResolution<T> {
  const { local, remote } = conflict;
  const base = conflict.base === null ? null : conflict.base;
  if (!isRecord(local) || !isRecord(remote) || (base !== null && !isRecord(base))) {
    // A delete (or a non-object value) on either side has no fields to merge.
    return pick(conflict, tie, `merge:tie-${tie}`);
  }
  const { value, conflictingFields } = threeWayMerge(isRecord(base) ? base : null, local, remote, tie);
  return {
    value: value as T,
    rule: conflictingFields.length === 0 ? 'merge' : `merge:tie-${tie}`,
    winner: 'merged',
    conflictingFields,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

async function runCustom<T>(
  name: string,
  resolve: ConflictResolver<T>,
  conflict: Conflict<T>,
): Promise<ConflictResolution<T>> {
  let value: T | null;
  try {
    value = await resolve(conflict);
  } catch (cause) {
    throw new ConflictResolverError(name, conflict.store, cause);
  }
  if (value === undefined || (value !== null && typeof value !== 'object')) {
    throw new ConflictResolverError(
      name,
      conflict.store,
      new TypeError('A conflict resolver must return the record to keep, or null to delete it'),
    );
  }
  return { value, rule: `custom:${name}`, winner: 'custom' };
}
