import { defaultProfileId, type ProfileId } from './network/profiles.js';
import type { ResultSet, Storage } from './results.js';

/** One figure of a ratio: a metric of an implementation in a workload (median of its samples). */
interface Operand {
  readonly workload: string;
  readonly impl: string;
  readonly metric: string;
  /** A figure measured once in Node (the dataset), not per engine and profile. */
  readonly node?: true;
}

/** Where the runner records the figures measured in Node. */
const nodeFigure = { engine: 'node', storage: 'memory', profile: defaultProfileId } as const;

/** A target of issues #7 and #17, as a ratio of medians (or an absolute bound when `denominator` is absent). */
export interface Target {
  readonly id: string;
  readonly label: string;
  readonly numerator: Operand;
  readonly denominator?: Operand;
  /** The bound and its direction: `max` means the ratio must be at most `bound`. */
  readonly bound: number;
  readonly direction: 'max' | 'min';
  /** How the ratio reads, e.g. `idb-sync ÷ raw one transaction`. */
  readonly reads: string;
  /** The network profile its figures are measured under (default loopback). */
  readonly profile?: ProfileId;
  /** Engines that can measure it, with why the others cannot (default: every engine). */
  readonly only?: {
    readonly engines: readonly string[];
    readonly storages?: readonly Storage[];
    readonly why: string;
  };
}

const op = (workload: string, impl: string, metric: string): Operand => ({ workload, impl, metric });
const datasetOp = (metric: string): Operand => ({
  workload: 'dataset',
  impl: 'pull-pages',
  metric,
  node: true,
});

export const targets: readonly Target[] = [
  {
    id: 'full-vs-raw',
    label: 'Full sync vs raw IndexedDB, records in memory, one transaction',
    numerator: op('full-sync', 'idb-sync', 'time'),
    denominator: op('full-sync', 'raw-one-tx', 'time'),
    bound: 1.3,
    direction: 'max',
    reads: 'idb-sync time ÷ raw one-transaction time',
  },
  {
    id: 'full-vs-dexie',
    label: 'Full sync: speed-up over the sequential fetch + Dexie bulkPut loop',
    numerator: op('full-sync', 'dexie-loop', 'time'),
    denominator: op('full-sync', 'idb-sync', 'time'),
    bound: 1.25,
    direction: 'min',
    reads: 'Dexie loop time ÷ idb-sync time',
  },
  {
    id: 'full-vs-rxdb',
    label: 'Full sync: speed-up over RxDB replication',
    numerator: op('full-sync', 'rxdb', 'time'),
    denominator: op('full-sync', 'idb-sync', 'time'),
    bound: 2,
    direction: 'min',
    reads: 'RxDB time ÷ idb-sync time',
  },
  {
    id: 'full-vs-dexie-cellular',
    label: 'Full sync on cellular: speed-up over the sequential fetch + Dexie bulkPut loop',
    numerator: op('full-sync', 'dexie-loop', 'time'),
    denominator: op('full-sync', 'idb-sync', 'time'),
    bound: 2,
    direction: 'min',
    reads: 'Dexie loop time ÷ idb-sync time',
    profile: 'cellular',
  },
  {
    id: 'full-vs-rxdb-cellular',
    label: 'Full sync on cellular: speed-up over RxDB replication',
    numerator: op('full-sync', 'rxdb', 'time'),
    denominator: op('full-sync', 'idb-sync', 'time'),
    bound: 3,
    direction: 'min',
    reads: 'RxDB time ÷ idb-sync time',
    profile: 'cellular',
  },
  {
    id: 'wire-vs-json',
    label: 'Full sync on cellular: bytes on the wire per record vs the record as JSON',
    numerator: op('full-sync', 'idb-sync', 'wire-bytes/record'),
    denominator: datasetOp('record-json'),
    bound: 0.35,
    direction: 'max',
    reads: "idb-sync's wire bytes (both directions, headers included) ÷ the records' uncompressed JSON",
    profile: 'cellular',
  },
  {
    id: 'full-heap',
    label: 'Peak memory during the full sync vs one parsed page',
    numerator: op('full-sync', 'idb-sync', 'peak-live-memory'),
    denominator: op('full-sync', 'one-page', 'memory'),
    bound: 2,
    direction: 'max',
    reads: 'idb-sync peak live heap growth ÷ heap of one parsed page',
    only: {
      engines: ['chromium'],
      storages: ['memory'],
      why: 'measured in Chromium in memory only: WebKit gives no heap figure and cannot force a collection; the storage does not change the heap',
    },
  },
  {
    id: 'incremental-vs-raw',
    label: 'Incremental sync of the changes into the full store vs raw put of the same changes',
    numerator: op('incremental', 'idb-sync', 'time'),
    denominator: op('incremental', 'raw-put', 'time'),
    bound: 1.5,
    direction: 'max',
    reads: 'idb-sync time ÷ raw one-transaction apply time',
  },
  {
    id: 'add-index-vs-raw',
    label: 'Upversion adding one index vs raw createIndex',
    numerator: op('upversion', 'idb-sync', 'add-index'),
    denominator: op('upversion', 'raw', 'add-index'),
    bound: 1.2,
    direction: 'max',
    reads: 'idb-sync time ÷ raw versionchange + createIndex time',
  },
  {
    id: 'first-useful-data',
    label: "Work orders readable on the demo's first start (100k service types beside them)",
    numerator: op('first-useful-data', 'idb-sync', 'work-orders-readable'),
    bound: 1_500,
    direction: 'max',
    reads: "milliseconds from the first sync's start (absolute)",
  },
  {
    id: 'first-useful-data-cellular',
    label: 'Work orders readable on the first start, cellular (2 s + 3 round trips of 150 ms)',
    numerator: op('first-useful-data', 'idb-sync', 'work-orders-readable'),
    bound: 2_450,
    direction: 'max',
    reads: "milliseconds from the first sync's start (absolute)",
    profile: 'cellular',
  },
  {
    id: 'queue-write',
    label:
      'Queue one local write (median per write) vs one raw durable write of the record and its outbox entry',
    numerator: op('push', 'idb-sync', 'queue-per-write'),
    denominator: op('push', 'raw', 'queue-per-write'),
    bound: 1.3,
    direction: 'max',
    reads: 'idb-sync ms per write ÷ raw ms per write',
  },
  {
    id: 'queue-batch',
    label: 'Queue a batch of 1,000 local writes vs a raw one-transaction put of the 1,000 records',
    numerator: op('push', 'idb-sync', 'queue-batch'),
    denominator: op('push', 'raw', 'queue-batch-records-only'),
    bound: 1.2,
    direction: 'max',
    reads: 'idb-sync bulkPut time ÷ raw one-transaction put time (records only, no outbox)',
  },
];

/** A target evaluated on one engine and storage. */
export interface TargetOutcome {
  readonly target: Target;
  readonly engine: string;
  readonly storage: Storage;
  /** `undefined` when a figure is missing (implementation pending, workload not run). */
  readonly value: number | undefined;
  readonly met: boolean | undefined;
  /** Why the value is missing. */
  readonly missing?: string;
  /** Set when the engine cannot measure the target at all. */
  readonly notApplicable?: string;
}

export function evaluateTargets(results: ResultSet, engines: { engine: string; storage: Storage }[]) {
  const outcomes: TargetOutcome[] = [];
  for (const { engine, storage } of engines) {
    for (const target of targets) {
      const only = target.only;
      if (only && (!only.engines.includes(engine) || (only.storages && !only.storages.includes(storage)))) {
        outcomes.push({
          target,
          engine,
          storage,
          value: undefined,
          met: undefined,
          notApplicable: target.only.why,
        });
        continue;
      }
      const where = (o: Operand) => {
        const { node: _node, ...figure } = o;
        return o.node
          ? { ...figure, ...nodeFigure }
          : { ...figure, engine, storage, profile: target.profile ?? defaultProfileId };
      };
      const num = results.find(where(target.numerator));
      const den = target.denominator && results.find(where(target.denominator));
      if (!num || (target.denominator && !den)) {
        const absent = [!num && target.numerator, target.denominator && !den && target.denominator]
          .filter((o): o is Operand => Boolean(o))
          .map((o) => `${o.workload}/${o.impl}/${o.metric}`);
        outcomes.push({
          target,
          engine,
          storage,
          value: undefined,
          met: undefined,
          missing: absent.join(', '),
        });
        continue;
      }
      const value = den ? num.summary.median / den.summary.median : num.summary.median;
      const met = target.direction === 'max' ? value <= target.bound : value >= target.bound;
      outcomes.push({ target, engine, storage, value, met });
    }
  }
  return outcomes;
}
