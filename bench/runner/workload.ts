import type { Tab } from '../../e2e/harness/scenario.js';
import type { BenchServer } from './bench-server.js';
import type { BenchEngine, BenchSession } from './engines.js';
import type { Unit } from './results.js';

/** Size and repetition of a benchmark run. */
export interface BenchOptions {
  /** Records in the lookup collection. Default 100,000 (smoke: 2,000). */
  readonly records: number;
  /** Measured runs of every figure. Default 5 (smoke: 1). */
  readonly runs: number;
  /** Page size (`windowSize`) of every pull. Default 1,000 (smoke: 500). */
  readonly windowSize: number;
  /** Changes of the incremental workload and local writes of the push workload. Default 1,000. */
  readonly changes: number;
  readonly smoke: boolean;
}

/** What a workload gets from the runner. */
export interface WorkloadContext {
  readonly engine: BenchEngine;
  readonly server: BenchServer;
  readonly options: BenchOptions;
  /** Opens a fresh session (empty storage) on the workload's page module. */
  openSession<M>(page: string): Promise<{ session: BenchSession; tab: Tab<M> }>;
  /** Records one sample of a figure. */
  record(impl: string, metric: string, unit: Unit, sample: number): void;
  /** Records an observation for the report. */
  note(text: string): void;
  /** Prints progress. */
  log(text: string): void;
  /**
   * Runs one implementation's step. If it throws, the failure is recorded (the run fails, and
   * RESULTS.md lists it), the implementation is skipped for the rest of the workload, and the
   * other implementations go on. Resolves with whether the step succeeded.
   */
  guard(impl: string, step: () => Promise<void>): Promise<boolean>;
}

/** One benchmark workload: its Node side drives page functions of `bench/page/workloads/<id>.page.ts`. */
export interface Workload {
  readonly id: string;
  readonly title: string;
  run(ctx: WorkloadContext): Promise<void>;
}

/** `items` rotated by `run`, so no implementation always goes first (warm-up, GC, server caches). */
export function rotate<T>(items: readonly T[], run: number): T[] {
  const shift = run % Math.max(1, items.length);
  return [...items.slice(shift), ...items.slice(0, shift)];
}
