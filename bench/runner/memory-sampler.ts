import type { MemoryProbe } from './engines.js';

/** What the memory did while a page call ran. */
export interface MemoryTrace {
  /** Reading after a forced collection (when the engine allows one) just before the call. */
  readonly baseline: number;
  /** Highest reading during the call. */
  readonly peak: number;
  /** Highest reading in the first and in the second half of the call (by time): growth shows here. */
  readonly peakFirstHalf: number;
  readonly peakSecondHalf: number;
  readonly samples: number;
  /** The median reading: with `collectEachTime`, what the work keeps alive most of the time. */
  readonly median: number;
}

/**
 * Runs `work` while reading `probe` every `intervalMs` (default 20; CDP answers between the page's
 * tasks, so readings may come later). With `collectEachTime`, every reading follows a forced full
 * collection: it then shows the live memory only (what the work keeps, not the garbage it has not
 * collected yet), at the cost of slowing the work down, so such traces are never timed. The
 * readings stop as soon as the work settles; its outcome (value or error) is passed through.
 */
export async function traceMemory<T>(
  probe: MemoryProbe,
  work: () => Promise<T>,
  { intervalMs = 20, collectEachTime = false }: { intervalMs?: number; collectEachTime?: boolean } = {},
): Promise<{ value: T; trace: MemoryTrace }> {
  await probe.collectGarbage();
  const baseline = await probe.read();
  const readings: { at: number; bytes: number }[] = [];
  let finished = false;
  const started = performance.now();
  const sampling = (async () => {
    while (!finished) {
      if (collectEachTime) await probe.collectGarbage();
      readings.push({ at: performance.now() - started, bytes: await probe.read() });
      if (finished) break;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  let value: T;
  try {
    value = await work();
  } finally {
    finished = true;
    await sampling;
  }
  const duration = performance.now() - started;
  const peakOf = (list: { bytes: number }[]) => list.reduce((max, r) => Math.max(max, r.bytes), baseline);
  return {
    value,
    trace: {
      baseline,
      peak: peakOf(readings),
      peakFirstHalf: peakOf(readings.filter((r) => r.at < duration / 2)),
      peakSecondHalf: peakOf(readings.filter((r) => r.at >= duration / 2)),
      samples: readings.length,
      median: readings.map((r) => r.bytes).sort((a, b) => a - b)[readings.length >> 1] ?? baseline,
    },
  };
}
