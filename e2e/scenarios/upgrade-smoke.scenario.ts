import assert from 'node:assert/strict';
import { defineScenario } from '../harness/scenario.js';
import type * as page from './upgrade-smoke.page.js';

const item1 = { id: 1, name: 'bolt', code: 'B-1', tags: ['metal', 'small'] };
const item2 = { id: 2, name: 'bolt', code: 'B-2', tags: ['metal'] };
const item3 = { id: 3, name: 'nut', code: 'N-1', tags: [] };
const note1 = { id: 1, uuid: 'c9', title: 'first' };
const note2 = { id: 2, uuid: 'a7', title: 'second' };
const legacy = { keyPath: 'id', autoIncrement: false, indexes: {}, records: [{ id: 'old', value: 42 }] };

const index = (keyPath: string, unique = false, multiEntry = false) => ({ keyPath, unique, multiEntry });

/** What raw IndexedDB must show after each version. */
const expected = {
  v1: {
    items: {
      keyPath: 'id',
      autoIncrement: false,
      indexes: { byCode: index('code'), byName: index('name') },
      records: [item1, item2, item3],
    },
    legacy,
    notes: { keyPath: 'id', autoIncrement: false, indexes: {}, records: [note1, note2] },
  },
  v2: {
    items: {
      keyPath: 'id',
      autoIncrement: false,
      indexes: { byCode: index('code', true), byTag: index('tags', false, true) },
      records: [item1, item2, item3],
    },
    legacy,
    // Re-keyed on uuid: same records, now in uuid order.
    notes: { keyPath: 'uuid', autoIncrement: false, indexes: {}, records: [note2, note1] },
  },
  v3: {
    items: {
      keyPath: 'id',
      autoIncrement: false,
      indexes: { byCode: index('code', true), byTag: index('tags', false, true) },
      records: [item1, item2, item3],
    },
    notes: {
      keyPath: 'uuid',
      autoIncrement: false,
      indexes: { byTitle: index('title') },
      records: [note2, note1],
    },
  },
};

const sorted = <T extends Record<string, unknown>>(value: T) =>
  Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)));

export default defineScenario<typeof page>({
  title: 'upgrade v1→v2→v3 (index added, removed, made unique; keyPath changed; store removed) and v1→v3',
  // A real reload between app versions, with the database on disk in Chromium.
  persistent: true,
  timeoutMs: 45_000,
  async run({ tab }) {
    const v1 = await tab.run('seedV1', 'stepwise');
    assert.deepEqual(sorted(v1.stores), expected.v1);
    assert.ok(v1.systemStores.includes('_meta'), 'the SDK keeps its _meta store beside the app stores');
    await tab.run('seedV1', 'direct');

    // Each upgrade runs on a fresh page load, as after deploying a new release of the app.
    await tab.reload();
    const v2 = await tab.run('openAt', 'stepwise', 2);
    assert.equal(v2.declaredVersion, 2);
    assert.ok(v2.shape.version > v1.version, 'the IndexedDB version went up');
    assert.deepEqual(sorted(v2.shape.stores), expected.v2);
    assert.deepEqual(v2.duplicateCode, { name: 'ConstraintViolationError', code: 'CONSTRAINT_VIOLATION' });
    const report2 = v2.reports.at(-1);
    assert.ok(report2, 'an upgrade report was persisted');
    assert.equal(report2.fromVersion, 1);
    assert.equal(report2.toVersion, 2);
    assert.deepEqual(report2.rebuiltStores, ['notes']);
    assert.deepEqual(report2.deletedIndexes, [{ store: 'items', index: 'byName' }]);

    await tab.reload();
    const v3 = await tab.run('openAt', 'stepwise', 3);
    assert.equal(v3.declaredVersion, 3);
    assert.ok(v3.shape.version > v2.shape.version);
    assert.deepEqual(sorted(v3.shape.stores), expected.v3);
    const report3 = v3.reports.at(-1);
    assert.ok(report3);
    assert.equal(report3.fromVersion, 2);
    assert.equal(report3.toVersion, 3);
    assert.deepEqual(report3.deletedStores, ['legacy']);

    // Skipping v2 ends in the same place.
    const direct = await tab.run('openAt', 'direct', 3);
    assert.deepEqual(sorted(direct.shape.stores), expected.v3);
    assert.equal(direct.shape.version, v3.shape.version);
    const reportDirect = direct.reports.at(-1);
    assert.ok(reportDirect);
    assert.equal(reportDirect.fromVersion, 1);
    assert.equal(reportDirect.toVersion, 3);
  },
});
