import { type Summary, summarize } from './stats.js';

/** Where the database lived: Chromium incognito / WebKit automation (memory), or a Chromium profile on disk. */
export type Storage = 'memory' | 'disk';

/** Unit of a figure: milliseconds, bytes, or records per second. */
export type Unit = 'ms' | 'bytes' | 'records/s';

/** Every sample of one figure: one workload, one implementation, one metric, one engine and storage. */
export interface Measurement {
  readonly workload: string;
  readonly impl: string;
  readonly metric: string;
  readonly engine: string;
  readonly storage: Storage;
  readonly unit: Unit;
  readonly samples: number[];
}

/** A measurement with its summary, as written to the JSON. */
export interface SummarizedMeasurement extends Measurement {
  readonly summary: Summary;
}

/** Collects samples as the workloads produce them. */
export class ResultSet {
  private readonly byKey = new Map<string, Measurement>();
  /** Workloads that failed, with why; a failure fails the run (and the smoke test). */
  readonly failures: { engine: string; storage: Storage; workload: string; error: string }[] = [];
  /** Free-text observations printed under the figures. */
  readonly notes: { engine: string; workload: string; text: string }[] = [];

  add(m: Omit<Measurement, 'samples'>, sample: number): void {
    const key = [m.workload, m.impl, m.metric, m.engine, m.storage].join('|');
    let existing = this.byKey.get(key);
    if (!existing) {
      existing = { ...m, samples: [] };
      this.byKey.set(key, existing);
    }
    if (existing.unit !== m.unit) throw new Error(`${key}: unit ${m.unit} after ${existing.unit}`);
    existing.samples.push(sample);
  }

  find(q: Omit<Measurement, 'samples' | 'unit'>): SummarizedMeasurement | undefined {
    const m = this.byKey.get([q.workload, q.impl, q.metric, q.engine, q.storage].join('|'));
    return m && { ...m, summary: summarize(m.samples) };
  }

  all(): SummarizedMeasurement[] {
    return [...this.byKey.values()].map((m) => ({ ...m, summary: summarize(m.samples) }));
  }
}
