import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, expect, inject, it } from 'vitest';
import { emptyClusterTemplate, openPgliteDatabase } from '../../server/db/pglite-database.js';
import { schemaStatus } from '../../server/schema/schema-manager.js';
import { serverSchemaTemplate, startServer } from '../../server/start-server.js';

// On PostgreSQL (DATABASE_URL) the run makes no PGlite templates: its servers do not use them.
describe.skipIf(process.env.DATABASE_URL)('the PGlite templates of a test run', () => {
  const files = inject('pgliteTemplates');

  it('are made once per run and are what every in-memory PGlite of a test file starts from', async () => {
    expect(Object.keys(files).sort()).toEqual(['empty-cluster', 'server-schema']);
    // Hashes: a deep comparison of 40 MB arrays would exhaust the heap.
    const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
    const ofDump = async (dump: Blob) => sha(new Uint8Array(await dump.arrayBuffer()));
    const ofFile = async (path: string) => sha(await readFile(path));
    expect(await ofDump(await emptyClusterTemplate())).toBe(await ofFile(files['empty-cluster']!));
    expect(await ofDump(await serverSchemaTemplate())).toBe(await ofFile(files['server-schema']!));
  });

  it('start an empty database without a schema, and a server with the latest one and its own epoch', async () => {
    const empty = await openPgliteDatabase({});
    try {
      expect(await schemaStatus(empty)).toMatchObject({ state: 'none' });
    } finally {
      await empty.close();
    }
    const servers = [
      await startServer({ logger: () => {}, compactionIntervalMs: 0 }),
      await startServer({ logger: () => {}, compactionIntervalMs: 0 }),
    ];
    try {
      const epochs: (string | undefined)[] = [];
      for (const server of servers) {
        expect(server.schema.state).toBe('up-to-date');
        const { rows } = await server.db.query<{ value: string }>(
          `SELECT value FROM meta WHERE key = 'epoch'`,
        );
        epochs.push(rows[0]?.value);
      }
      expect(new Set(epochs).size).toBe(2);
    } finally {
      for (const server of servers) await server.close();
    }
  });
});
