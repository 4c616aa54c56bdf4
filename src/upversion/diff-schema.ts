import type { DeclaredStore } from './declare-schema.js';
import { type LiveSchema, sameKeyPath } from './live-schema.js';

/** An index named by its store. */
export interface IndexRef {
  readonly store: string;
  readonly index: string;
}

/** What it takes to turn the live structure into the declared one. */
export interface SchemaDiff {
  /** Live stores the declaration does not have. */
  readonly deleteStores: readonly string[];
  /** Declared stores the live database does not have. */
  readonly createStores: readonly string[];
  /** Stores whose keyPath or autoIncrement changed: rebuilt with their data copied. */
  readonly rebuildStores: readonly string[];
  /** Live indexes the declaration does not have (on stores that are kept, not rebuilt). */
  readonly deleteIndexes: readonly IndexRef[];
  /** Indexes whose keyPath, unique or multiEntry changed: deleted and created again. */
  readonly recreateIndexes: readonly IndexRef[];
  /** Declared indexes missing from stores that are kept, not rebuilt. */
  readonly createIndexes: readonly IndexRef[];
}

/** Compares the live structure with the declared stores. Pure: it touches no database. */
export function diffSchema(live: LiveSchema, target: Readonly<Record<string, DeclaredStore>>): SchemaDiff {
  const deleteStores = Object.keys(live).filter((name) => !(name in target));
  const createStores: string[] = [];
  const rebuildStores: string[] = [];
  const deleteIndexes: IndexRef[] = [];
  const recreateIndexes: IndexRef[] = [];
  const createIndexes: IndexRef[] = [];
  for (const [store, declared] of Object.entries(target)) {
    const current = live[store];
    if (!current) {
      createStores.push(store);
      continue;
    }
    if (!sameKeyPath(current.keyPath, declared.keyPath) || current.autoIncrement !== declared.autoIncrement) {
      rebuildStores.push(store);
      continue;
    }
    for (const index of Object.keys(current.indexes)) {
      if (!(index in declared.indexes)) deleteIndexes.push({ store, index });
    }
    for (const [index, wanted] of Object.entries(declared.indexes)) {
      const existing = current.indexes[index];
      if (!existing) createIndexes.push({ store, index });
      else if (
        !sameKeyPath(existing.keyPath, wanted.keyPath) ||
        existing.unique !== wanted.unique ||
        existing.multiEntry !== wanted.multiEntry
      ) {
        recreateIndexes.push({ store, index });
      }
    }
  }
  return { deleteStores, createStores, rebuildStores, deleteIndexes, recreateIndexes, createIndexes };
}

/** True when applying the diff would change nothing. */
export function isEmptyDiff(diff: SchemaDiff): boolean {
  return Object.values(diff).every((list: readonly unknown[]) => list.length === 0);
}
