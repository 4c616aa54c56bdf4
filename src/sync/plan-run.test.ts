import { describe, expect, it } from 'vitest';
import { LOOKUP_TOKENS_VERSION } from '../query/lookup-tokens.js';
import type { PlanCheckpoint } from './collection-plan.js';
import { type PlanInput, planRun } from './plan-run.js';

const collections = [
  { name: 'work_orders', kind: 'transactional' },
  { name: 'service_types', kind: 'lookup' },
  { name: 'parts', kind: 'lookup' },
] as const;

const synced = (schemaVersion = 1, extra: Partial<PlanCheckpoint> = {}): PlanCheckpoint => ({
  phase: 'changes',
  schemaVersion,
  ...extra,
});

const allSynced = new Map(collections.map((c) => [c.name, synced()]));

const modes = (input: Omit<PlanInput, 'collections'>) =>
  Object.fromEntries(planRun({ collections, ...input }).map((p) => [p.collection, [p.mode, ...p.reasons]]));

describe('run planner', () => {
  it('plans a first sync: red for transactional stores, full for lookup stores', () => {
    expect(modes({ checkpoints: new Map(), upgradeReports: [] })).toEqual({
      work_orders: ['red', 'first-sync'],
      service_types: ['full', 'first-sync'],
      parts: ['full', 'first-sync'],
    });
  });

  it('pulls incrementally from saved checkpoints when nothing else happened', () => {
    const plans = planRun({ collections, checkpoints: allSynced, upgradeReports: [] });
    expect(plans.map((p) => [p.mode, p.reasons, p.restart])).toEqual([
      ['incremental', ['checkpoint'], false],
      ['incremental', ['checkpoint'], false],
      ['incremental', ['checkpoint'], false],
    ]);
  });

  it('forces a full sync of exactly the stores an upgrade since their sync touched', () => {
    const upgradeReports = [
      { toVersion: 1, touchedStores: ['work_orders', 'service_types', 'parts'] },
      { toVersion: 2, touchedStores: ['service_types'] },
    ];
    const plans = planRun({ collections, checkpoints: allSynced, upgradeReports });
    expect(plans.map((p) => [p.collection, p.mode, p.reasons, p.restart])).toEqual([
      ['work_orders', 'incremental', ['checkpoint'], false],
      ['service_types', 'full', ['schema-changed'], true],
      ['parts', 'incremental', ['checkpoint'], false],
    ]);
  });

  it('refetches lookup collections with derived fields made by an older lookupTokens, once', () => {
    const derived = collections.map((c) => ({ ...c, derives: c.name !== 'parts' }));
    const plans = planRun({ collections: derived, checkpoints: allSynced, upgradeReports: [] });
    expect(plans.map((p) => [p.collection, p.mode, p.reasons, p.restart])).toEqual([
      // A transactional collection keeps its local writes: refreshed by the app (see the CHANGELOG).
      ['work_orders', 'incremental', ['checkpoint'], false],
      ['service_types', 'full', ['derivation-changed'], true],
      // No `fromServer`: nothing derived to refresh.
      ['parts', 'incremental', ['checkpoint'], false],
    ]);
    const current = new Map(
      collections.map((c) => [c.name, synced(1, { derivedWith: LOOKUP_TOKENS_VERSION })]),
    );
    expect(
      planRun({ collections: derived, checkpoints: current, upgradeReports: [] }).map((p) => p.mode),
    ).toEqual(['incremental', 'incremental', 'incremental']);
  });

  it('ignores upgrades older than the data, as after a full sync under the new version', () => {
    const checkpoints = new Map([...allSynced, ['service_types', synced(2)]]);
    const upgradeReports = [{ toVersion: 2, touchedStores: ['service_types'] }];
    expect(modes({ checkpoints, upgradeReports }).service_types).toEqual(['incremental', 'checkpoint']);
  });

  it('red-syncs a transactional store whose schema changed', () => {
    const upgradeReports = [{ toVersion: 3, touchedStores: ['work_orders'] }];
    expect(modes({ checkpoints: allSynced, upgradeReports }).work_orders).toEqual(['red', 'schema-changed']);
  });

  it('resumes an interrupted full sync, and restarts it when its snapshot became useless', () => {
    const checkpoints = new Map([...allSynced, ['parts', synced(1, { phase: 'snapshot' })]]);
    const resume = planRun({ collections, checkpoints, upgradeReports: [] })[2];
    expect(resume).toMatchObject({ mode: 'full', reasons: ['resume'], restart: false });
    const reset = planRun({
      collections,
      checkpoints,
      upgradeReports: [],
      serverReset: new Set(['parts']),
    })[2];
    expect(reset).toMatchObject({ mode: 'full', reasons: ['server-reset'], restart: true });
    const upgraded = planRun({
      collections,
      checkpoints,
      upgradeReports: [{ toVersion: 2, touchedStores: ['parts'] }],
    })[2];
    expect(upgraded).toMatchObject({ mode: 'full', reasons: ['schema-changed'], restart: true });
  });

  it('follows app requests, kept across reloads in the checkpoint, and never red-resets a lookup store', () => {
    const checkpoints = new Map([...allSynced, ['parts', synced(1, { forced: 'full' })]]);
    const requested = new Map<string, 'red' | 'full'>([
      ['work_orders', 'red'],
      ['service_types', 'red'],
    ]);
    expect(modes({ checkpoints, upgradeReports: [], requested })).toEqual({
      work_orders: ['red', 'requested'],
      service_types: ['full', 'requested'],
      parts: ['full', 'requested'],
    });
  });

  it('treats a server reset and an evicted database as reasons for red and full syncs', () => {
    expect(
      modes({ checkpoints: allSynced, upgradeReports: [], serverReset: new Set(['work_orders']) }),
    ).toEqual({
      work_orders: ['red', 'server-reset'],
      service_types: ['incremental', 'checkpoint'],
      parts: ['incremental', 'checkpoint'],
    });
    expect(modes({ checkpoints: new Map(), upgradeReports: [], evicted: true })).toEqual({
      work_orders: ['red', 'evicted', 'first-sync'],
      service_types: ['full', 'evicted', 'first-sync'],
      parts: ['full', 'evicted', 'first-sync'],
    });
  });

  it('waits instead of red-syncing a collection whose local writes could not be pushed', () => {
    const pendingOutbox = new Map([['work_orders', 3]]);
    const requested = new Map<string, 'red' | 'full'>([['work_orders', 'red']]);
    expect(
      modes({ checkpoints: allSynced, upgradeReports: [], requested, pendingOutbox }).work_orders,
    ).toEqual(['waiting', 'requested', 'outbox-pending']);
    // Unpushed writes do not hold back ordinary pulls: pulls skip records with pending writes.
    expect(modes({ checkpoints: allSynced, upgradeReports: [], pendingOutbox }).work_orders).toEqual([
      'incremental',
      'checkpoint',
    ]);
  });

  it('skips collections outside the run or unknown to the server', () => {
    expect(
      modes({
        checkpoints: allSynced,
        upgradeReports: [],
        only: new Set(['work_orders', 'parts']),
        serverCollections: new Set(['work_orders', 'service_types']),
      }),
    ).toEqual({
      work_orders: ['incremental', 'checkpoint'],
      service_types: ['skip', 'not-requested'],
      parts: ['skip', 'not-on-server'],
    });
  });
});
