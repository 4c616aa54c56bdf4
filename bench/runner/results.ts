import { type Summary, summarize } from './stats.js';

/** Where the database lived: Chromium incognito / WebKit automation (memory), or a Chromium profile on disk. */
export type Storage = 'memory' | 'disk';

/**
 * Unit of a figure: milliseconds, bytes (memory), bytes per record (wire and JSON sizes), records
 * per second, a count, or a percentage.
 */
export type Unit = 'ms' | 'bytes' | 'bytes/record' | 'records/s' | 'count' | '%';

/**
 * Every sample of one figure: one workload, one implementation, one metric, one engine and storage,
 * one network profile.
 */
export interface Measurement {
  readonly workload: string;
  readonly impl: string;
  readonly metric: string;
  readonly engine: string;
  readonly storage: Storage;
  /** The network profile (see network/profiles.ts); results files without one were on loopback. */
  readonly profile: string;
  readonly unit: Unit;
  readonly samples: number[];
}

/** What identifies a figure: everything but its unit and samples. */
export type FigureKey = Omit<Measurement, 'samples' | 'unit'>;

const keyOf = (m: FigureKey) => [m.workload, m.impl, m.metric, m.engine, m.storage, m.profile].join('|');

/** A workload that failed on an engine, storage and profile (`workload / impl` for one implementation). */
export interface Failure {
  readonly engine: string;
  readonly storage: Storage;
  readonly profile: string;
  readonly workload: string;
  readonly error: string;
}

/** An observation for the report, under its workload. */
export interface Note {
  readonly engine: string;
  readonly profile: string;
  readonly workload: string;
  readonly text: string;
}

/** A measurement with its summary, as written to the JSON. */
export interface SummarizedMeasurement extends Measurement {
  readonly summary: Summary;
}

/** Collects samples as the workloads produce them. */
export class ResultSet {
  private readonly byKey = new Map<string, Measurement>();
  /** Workloads that failed, with why; a failure fails the run (and the smoke test). */
  readonly failures: Failure[] = [];
  /** Free-text observations printed under the figures. */
  readonly notes: Note[] = [];

  add(m: Omit<Measurement, 'samples'>, sample: number): void {
    const key = keyOf(m);
    let existing = this.byKey.get(key);
    if (!existing) {
      existing = { ...m, samples: [] };
      this.byKey.set(key, existing);
    }
    if (existing.unit !== m.unit) throw new Error(`${key}: unit ${m.unit} after ${existing.unit}`);
    existing.samples.push(sample);
  }

  find(q: FigureKey): SummarizedMeasurement | undefined {
    const m = this.byKey.get(keyOf(q));
    return m && { ...m, summary: summarize(m.samples) };
  }

  all(): SummarizedMeasurement[] {
    return [...this.byKey.values()].map((m) => ({ ...m, summary: summarize(m.samples) }));
  }
}
