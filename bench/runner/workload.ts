import type { Tab } from '../../e2e/harness/scenario.js';
import type { BenchServer } from './bench-server.js';
import type { BenchEngine, BenchSession } from './engines.js';
import type { NetworkProfile } from './network/profiles.js';
import type { Exchange, TrafficSummary } from './network/shaping-link.js';
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

/** The network between the pages and the sync server, as a workload sees it. */
export interface NetworkContext {
  /** The profile the link has now; figures and failures are recorded under it. */
  readonly profile: NetworkProfile;
  /** The profiles of this run, in order (a workload without `network` gets loopback only). */
  readonly profiles: readonly NetworkProfile[];
  /**
   * Runs `step` once per profile of the run, with the link switched to it (setup done before it is
   * shared by every profile), then switches the link back to loopback.
   */
  forEachProfile(step: (profile: NetworkProfile) => Promise<void>): Promise<void>;
  /** Runs `step` on loopback (setup that is not measured), then goes back to {@link profile}. */
  unshaped<T>(step: () => Promise<T>): Promise<T>;
  /**
   * Runs `step` (one implementation's measured step) and returns what crossed the link meanwhile;
   * the exchanges go to the run's exchange log under `label`.
   */
  measure<T>(
    label: string,
    step: () => Promise<T>,
  ): Promise<{ value: T; traffic: TrafficSummary; exchanges: readonly Exchange[] }>;
}

/** What a workload gets from the runner. */
export interface WorkloadContext {
  readonly engine: BenchEngine;
  readonly network: NetworkContext;
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
  /**
   * Whether it measures traffic with the server and so measures under every network profile of the
   * run (through `ctx.network.forEachProfile`). The others run on loopback only, and only when the
   * run includes loopback. Default false.
   */
  readonly network?: boolean;
  run(ctx: WorkloadContext): Promise<void>;
}

/** `items` rotated by `run`, so no implementation always goes first (warm-up, GC, server caches). */
export function rotate<T>(items: readonly T[], run: number): T[] {
  const shift = run % Math.max(1, items.length);
  return [...items.slice(shift), ...items.slice(0, shift)];
}
