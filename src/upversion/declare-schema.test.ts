import { describe, expect, it } from 'vitest';
import { isIdbSyncError } from '../errors/idb-sync-error.js';

import { appVersionOf, declareSchema, idbVersionFor, VERSION_SPAN } from './declare-schema.js';
import { fingerprintStore } from './fingerprint.js';
import type { VersionSpec } from './schema-types.js';
import { systemStores } from './system-stores.js';

const v1: VersionSpec = {
  version: 1,
  stores: {
    service_types: {
      keyPath: 'id',
      kind: 'lookup',
      indexes: {
        byCode: { keyPath: 'code', unique: true },
        byToken: { keyPath: 'tokens', multiEntry: true },
      },
    },
    work_orders: { keyPath: 'id', kind: 'transactional' },
  },
};

function declareError(versions: readonly VersionSpec[]): string {
  try {
    declareSchema('app', versions);
  } catch (error) {
    expect(isIdbSyncError(error, 'INVALID_SCHEMA')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('the declaration was accepted');
}

describe('declareSchema', () => {
  it('fills in defaults and adds the system stores to every version', () => {
    const schema = declareSchema('app', [v1, { version: 2, stores: { notes: { kind: 'local' } } }]);
    const first = schema.versions[0]!;
    expect(first.stores['work_orders']).toMatchObject({
      keyPath: 'id',
      autoIncrement: false,
      kind: 'transactional',
      indexes: {},
      system: false,
    });
    expect(first.stores['service_types']!.indexes['byToken']).toEqual({
      name: 'byToken',
      keyPath: 'tokens',
      unique: false,
      multiEntry: true,
    });
    expect(schema.latest.stores['notes']).toMatchObject({ keyPath: null, kind: 'local' });
    for (const version of schema.versions) {
      for (const name of Object.keys(systemStores)) expect(version.stores[name]?.system).toBe(true);
    }
  });

  it("declares the SDK's own stores under `_` names, with a revision well inside a version span", () => {
    // The SDK's constants: checked here once, not by every app's defineDatabase.
    const schema = declareSchema('app', [v1]);
    for (const [name, spec] of Object.entries(systemStores)) {
      expect(name.startsWith('_')).toBe(true);
      expect(Number.isSafeInteger(spec.since) && spec.since >= 1).toBe(true);
      expect(schema.latest.stores[name]).toMatchObject({ system: true, stableSince: 0 });
    }
    expect(schema.systemVersion).toBeLessThan(VERSION_SPAN / 2);
  });

  it('opens IndexedDB version appVersion * 1000 + system revision, and maps it back', () => {
    const schema = declareSchema('app', [v1, { ...v1, version: 7 }]);
    expect(schema.idbVersion).toBe(7 * VERSION_SPAN + schema.systemVersion);
    expect(idbVersionFor(7, schema.systemVersion)).toBe(schema.idbVersion);
    expect(appVersionOf(schema.idbVersion)).toBe(7);
    expect(appVersionOf(0)).toBe(0);
    expect(schema.systemVersion).toBeGreaterThanOrEqual(1);
  });

  it('rejects app store names starting with "_" (reserved for the SDK)', () => {
    expect(declareError([{ version: 1, stores: { _outbox: { kind: 'local' } } }])).toContain(
      'store "_outbox" starts with "_", which is reserved',
    );
  });

  it.each([
    [[], 'declare at least one version'],
    [[{ version: 0, stores: {} }], 'version 0 is not a positive integer'],
    [[{ version: 1.5, stores: {} }], 'version 1.5 is not a positive integer'],
    [[{ ...v1, version: 2 }, v1], 'version 1 comes after 2; versions must increase'],
    [[{ version: 1, stores: { a: { kind: 'remote' } } }], 'version 1, store "a": kind must be one of'],
    [[{ version: 1, stores: { a: { kind: 'local', keyPath: 'a..b' } } }], 'keyPath must be a property path'],
    [
      [{ version: 1, stores: { a: { kind: 'local', keyPath: ['x', 'y'], autoIncrement: true } } }],
      'autoIncrement needs',
    ],
    [
      [
        {
          version: 1,
          stores: { a: { kind: 'local', indexes: { i: { keyPath: ['x', 'y'], multiEntry: true } } } },
        },
      ],
      'multiEntry cannot be used',
    ],
    [
      [{ version: 1, stores: { a: { kind: 'local' } }, migrations: { b: (v: unknown) => v } }],
      'migration of "b": the version declares no such store',
    ],
    [
      [
        {
          version: 1,
          stores: { a: { kind: 'local' } },
          migrations: { a: { batchSize: 0, migrate: (v: unknown) => v } },
        },
      ],
      'batchSize must be a positive integer',
    ],
  ] as [VersionSpec[], string][])('rejects an invalid declaration (%#)', (versions, problem) => {
    expect(declareError(versions)).toContain(problem);
  });

  it.each([
    [{ kind: 'transactional' }, 'needs an in-line key (keyPath)'],
    [{ kind: 'lookup', keyPath: ['a', 'b'] }, 'cannot have a compound key: map it to one string field'],
    [{ kind: 'transactional', keyPath: 'a.b' }, 'needs its key in a top-level field'],
    [{ kind: 'transactional', keyPath: 'id', autoIncrement: true }, 'cannot use autoIncrement'],
    [{ kind: 'transactional', keyPath: 'at', keyType: 'date' }, 'map dates to ISO strings or numbers'],
  ] as const)('refuses a synced store key that cannot map to a wire id one to one (%o)', (spec, message) => {
    const error = declareError([{ version: 1, stores: { a: spec as never } }]);
    expect(error).toContain('version 1, store "a"');
    expect(error).toContain(message);
  });

  it('checks synced keys in the latest version only, and lets local stores keep any key', () => {
    const legacy = { version: 1, stores: { a: { kind: 'transactional' as const, keyPath: ['x', 'y'] } } };
    const latest = { version: 2, stores: { a: { kind: 'transactional' as const, keyPath: 'id' } } };
    expect(() => declareSchema('app', [legacy, latest])).not.toThrow();
    expect(() =>
      declareSchema('app', [{ version: 1, stores: { a: { kind: 'local', keyPath: ['x', 'y'] } } }]),
    ).not.toThrow();
  });

  it('counts a number key type in the fingerprint, and leaves string stores as they were', () => {
    const text = declareSchema('app', [{ version: 1, stores: { a: { kind: 'lookup', keyPath: 'id' } } }]);
    const named = declareSchema('app', [
      { version: 1, stores: { a: { kind: 'lookup', keyPath: 'id', keyType: 'string' } } },
    ]);
    const numbered = declareSchema('app', [
      { version: 1, stores: { a: { kind: 'lookup', keyPath: 'id', keyType: 'number' } } },
    ]);
    expect(named.latest.stores['a']!.fingerprint).toBe(text.latest.stores['a']!.fingerprint);
    expect(numbered.latest.stores['a']!.fingerprint).not.toBe(text.latest.stores['a']!.fingerprint);
    expect(numbered.latest.stores['a']!.keyType).toBe('number');
  });

  it('keeps migrations in declaration order with their batch size', () => {
    const migrate = (value: unknown) => value;
    const schema = declareSchema('app', [
      v1,
      { ...v1, version: 2, migrations: { work_orders: migrate, service_types: { batchSize: 50, migrate } } },
    ]);
    expect(schema.latest.migrations).toEqual([
      { store: 'work_orders', batchSize: undefined, migrate },
      { store: 'service_types', batchSize: 50, migrate },
    ]);
  });
});

describe('stableSince', () => {
  it('is the oldest version since which a store kept its definition and had no migration', () => {
    const a = { keyPath: 'id', kind: 'transactional' } as const;
    const b = { keyPath: 'id', kind: 'lookup' } as const;
    const schema = declareSchema('app', [
      { version: 1, stores: { a, b, c: a } },
      { version: 2, stores: { a, b: { ...b, indexes: { x: { keyPath: 'x' } } }, c: a } },
      {
        version: 5,
        stores: { a, b: { ...b, indexes: { x: { keyPath: 'x' } } }, c: a, d: a },
        migrations: { c: (v: unknown) => v },
      },
    ]);
    const stores = schema.latest.stores;
    expect(stores['a']!.stableSince).toBe(1); // unchanged since v1
    expect(stores['b']!.stableSince).toBe(2); // index added in v2
    expect(stores['c']!.stableSince).toBe(5); // migrated in v5
    expect(stores['d']!.stableSince).toBe(5); // new in v5
    expect(stores['_meta']!.stableSince).toBe(0);
  });
});

describe('fingerprintStore', () => {
  const base = {
    keyPath: 'id',
    autoIncrement: false,
    kind: 'lookup' as const,
    indexes: {
      a: { keyPath: 'a', unique: false, multiEntry: false },
      b: { keyPath: ['b', 'c'], unique: true, multiEntry: false },
    },
  };

  it('ignores the order indexes are declared in', () => {
    const reordered = { ...base, indexes: { b: base.indexes.b, a: base.indexes.a } };
    expect(fingerprintStore(reordered)).toBe(fingerprintStore(base));
    expect(fingerprintStore(base)).toMatch(/^[0-9a-f]{16}$/);
  });

  it.each([
    ['keyPath', { ...base, keyPath: 'uuid' }],
    ['autoIncrement', { ...base, autoIncrement: true }],
    ['kind', { ...base, kind: 'transactional' as const }],
    [
      'an index becoming unique',
      { ...base, indexes: { ...base.indexes, a: { ...base.indexes.a, unique: true } } },
    ],
    ['an index added', { ...base, indexes: { ...base.indexes, z: base.indexes.a } }],
  ])('changes when %s changes', (_what, changed) => {
    expect(fingerprintStore(changed)).not.toBe(fingerprintStore(base));
  });
});
