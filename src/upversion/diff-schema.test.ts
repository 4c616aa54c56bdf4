import { describe, expect, it } from 'vitest';
import { declareSchema } from './declare-schema.js';
import { diffSchema, isEmptyDiff } from './diff-schema.js';
import type { LiveSchema } from './live-schema.js';
import type { StoreSpec } from './schema-types.js';

function target(stores: Record<string, StoreSpec>) {
  const all = declareSchema('t', [{ version: 1, stores }]).latest.stores;
  // Only the app stores: the system stores are not the point here.
  return Object.fromEntries(Object.entries(all).filter(([name]) => !name.startsWith('_')));
}

const live: LiveSchema = {
  items: {
    keyPath: 'id',
    autoIncrement: false,
    indexes: {
      byName: { keyPath: 'name', unique: false, multiEntry: false },
      byCode: { keyPath: 'code', unique: false, multiEntry: false },
      byPair: { keyPath: ['a', 'b'], unique: false, multiEntry: false },
    },
  },
  legacy: { keyPath: 'id', autoIncrement: false, indexes: {} },
  notes: { keyPath: null, autoIncrement: true, indexes: {} },
};

describe('diffSchema', () => {
  it('finds nothing to do when the live structure matches', () => {
    const same = target({
      items: {
        keyPath: 'id',
        kind: 'lookup',
        indexes: {
          byName: { keyPath: 'name' },
          byCode: { keyPath: 'code' },
          byPair: { keyPath: ['a', 'b'] },
        },
      },
      legacy: { keyPath: 'id', kind: 'local' },
      notes: { kind: 'local', autoIncrement: true },
    });
    expect(isEmptyDiff(diffSchema(live, same))).toBe(true);
  });

  it('lists stores and indexes to delete, create, recreate and rebuild', () => {
    const diff = diffSchema(
      live,
      target({
        items: {
          keyPath: 'id',
          kind: 'lookup',
          indexes: {
            byCode: { keyPath: 'code', unique: true }, // changed
            byPair: { keyPath: ['a', 'c'] }, // changed compound path
            byTag: { keyPath: 'tags', multiEntry: true }, // new
          },
        },
        notes: { kind: 'local', keyPath: 'uuid' }, // keyPath and autoIncrement changed
        customers: { keyPath: 'id', kind: 'lookup' }, // new store
      }),
    );
    expect(diff).toEqual({
      deleteStores: ['legacy'],
      createStores: ['customers'],
      rebuildStores: ['notes'],
      deleteIndexes: [{ store: 'items', index: 'byName' }],
      recreateIndexes: [
        { store: 'items', index: 'byCode' },
        { store: 'items', index: 'byPair' },
      ],
      createIndexes: [{ store: 'items', index: 'byTag' }],
    });
  });

  it('rebuilds a store when only autoIncrement changes, and leaves its index diff to the rebuild', () => {
    const diff = diffSchema(
      live,
      target({ notes: { kind: 'local', autoIncrement: false, indexes: { byX: { keyPath: 'x' } } } }),
    );
    expect(diff.rebuildStores).toEqual(['notes']);
    expect(diff.createIndexes).toEqual([]);
  });
});
