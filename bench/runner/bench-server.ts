import { seedServiceTypes } from '../../server/seed.js';
import { type RunningServer, startServer } from '../../server/start-server.js';

/** The reference server the benchmark syncs against, with its seeded lookup collection. */
export interface BenchServer {
  readonly server: RunningServer;
  /** Bearer token of the bench user. */
  readonly token: string;
  /** Alive records of `service_types` (kept constant by {@link BenchServer.applyChangeBatch}). */
  readonly records: number;
  /** Average size of one seeded record as JSON, in bytes. */
  readonly avgRecordBytes: number;
  /** Seconds the seed took. */
  readonly seedMs: number;
  /**
   * Makes `size` server-side changes to `service_types` (60% updates, 20% creates, 20% deletes, so
   * the alive count stays constant); each call touches records no earlier call deleted.
   */
  applyChangeBatch(size: number): Promise<{ puts: number; deletes: number }>;
  /**
   * The server on its own: milliseconds to serve every page of the lookup collection to a client in
   * this process that reads each body as text (no browser, no parsing), one request after another.
   */
  timeFullPull(windowSize: number): Promise<number>;
  close(): Promise<void>;
}

/** The largest page the benchmark asks for (the server's default limit is 1,000). */
export const MAX_WINDOW = 5_000;

/**
 * Starts the reference server in this process (PGlite in memory, request log off) and seeds
 * `records` rows of `service_types` (~1 KB each) through the server's own seed function.
 */
export async function startBenchServer(records: number): Promise<BenchServer> {
  const server = await startServer({ logger: () => {}, maxWindowSize: MAX_WINDOW, compactionIntervalMs: 0 });
  try {
    const seed = await seedServiceTypes(server.db, records);
    const { token } = await server.admin.createUser('bench');
    let batches = 0;
    return {
      server,
      token,
      records,
      avgRecordBytes: seed.avgValueBytes,
      seedMs: seed.ms,
      async applyChangeBatch(size) {
        const fifth = Math.floor(size / 5);
        const updates = size - 2 * fifth;
        const r = batches;
        batches += 1;
        // Deletes take the lowest ids not deleted yet; updates the ids right after them.
        const deleteFrom = r * fifth + 1;
        if (deleteFrom + fifth + updates > records)
          throw new Error('too many change batches for this dataset');
        await seedServiceTypes(server.db, updates, { offset: deleteFrom + fifth - 1 });
        await seedServiceTypes(server.db, fifth, { offset: records + r * fifth });
        for (let g = deleteFrom; g < deleteFrom + fifth; g += 1) {
          await server.admin.deleteRecord('service_types', `st-${String(g).padStart(6, '0')}`);
        }
        return { puts: updates + fifth, deletes: fifth };
      },
      async timeFullPull(windowSize) {
        const started = performance.now();
        let checkpoint: string | null = null;
        for (;;) {
          const response: Response = await fetch(`${server.url}/v1/pull`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${token}`,
              'x-schema-version': '1',
            },
            body: JSON.stringify({ collection: 'service_types', checkpoint, windowSize }),
          });
          const text: string = await response.text();
          if (!response.ok) throw new Error(`pull answered ${response.status}`);
          // Only the paging fields are needed: read them from the end of the body, not a full parse.
          const more = /"moreAvailable":(true|false)/.exec(text)?.[1];
          checkpoint =
            /"checkpoint":"([^"]+)"/.exec(text.slice(text.lastIndexOf('"checkpoint"')))?.[1] ?? null;
          if (more !== 'true') return performance.now() - started;
        }
      },
      close: () => server.close(),
    };
  } catch (error) {
    await server.close();
    throw error;
  }
}
