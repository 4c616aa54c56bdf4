import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Change, PullResponse } from '../../src/protocol/index.js';
import { applyPages, RawProtocolClient } from '../../test/server/raw-protocol-client.js';
import { startTestServer, type TestServer } from '../../test/server/test-server.js';
import { toInt } from '../db/database.js';
import { lockSequence, writeRecord } from './records.js';

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startTestServer();
  ({ token } = await server.admin.createUser('alice'));
});
afterAll(() => server?.close());

/** Final server state of alice's work orders: id → { rev, value } of live records. */
async function serverState(): Promise<Map<string, unknown>> {
  const { rows } = await server.db.query<{ id: string; value: unknown }>(
    `SELECT id, value FROM records WHERE collection = 'work_orders' AND owner = 'alice' AND NOT deleted`,
  );
  return new Map(rows.map((r) => [r.id, r.value]));
}

describe('paging under concurrent writes', () => {
  it('loses and repeats nothing while several clients push and a reader pages in small windows', async () => {
    const writers = [0, 1, 2, 3].map((w) => ({
      client: new RawProtocolClient(server.url, token),
      clientId: `writer-${w}`,
    }));
    const revs = new Map<string, string>();
    let writing = true;
    const write = async (w: number) => {
      const { client, clientId } = writers[w]!;
      let mutationId = 0;
      for (let round = 0; round < 12; round++) {
        const mutations = Array.from({ length: 5 }, (_, i) => {
          // Writers share ids, so updates, deletes and recreates race each other.
          const id = `wo-${(round * 5 + i + w * 7) % 40}`;
          const op = (round + i + w) % 6 === 0 ? ('delete' as const) : ('put' as const);
          return {
            mutationId: ++mutationId,
            collection: 'work_orders',
            id,
            op,
            baseRev: revs.get(id) ?? (op === 'delete' ? '0' : null),
            ...(op === 'put' ? { value: { by: w, round, i } } : {}),
          };
        });
        const { status, body } = await client.push({ clientId, mutations });
        expect(status).toBe(200);
        for (const [k, r] of body.results.entries()) {
          if (r.status === 'applied') revs.set(mutations[k]!.id, r.rev);
          else if (r.status === 'conflict') {
            if (r.current === null) revs.delete(mutations[k]!.id);
            else revs.set(mutations[k]!.id, r.current.rev);
          }
        }
      }
    };
    const reader = new RawProtocolClient(server.url, token);
    const pages: PullResponse[] = [];
    const read = async () => {
      let checkpoint: string | null = null;
      for (;;) {
        const stillWriting = writing;
        const { status, body } = await reader.pull({ collection: 'work_orders', checkpoint, windowSize: 3 });
        expect(status).toBe(200);
        pages.push(body);
        checkpoint = body.checkpoint;
        if (!stillWriting && !body.moreAvailable) return;
      }
    };
    const reading = read();
    await Promise.all(writers.map((_, w) => write(w)));
    writing = false;
    await reading;

    expect(applyPages(pages)).toEqual(await serverState());
    const snapshot = pages.filter((p) => p.mode === 'snapshot').flatMap((p) => p.changes);
    const changes = pages.filter((p) => p.mode === 'changes').flatMap((p) => p.changes);
    // Snapshot pages: ids strictly increasing. Change-log pages: revs strictly increasing, so no
    // change is delivered twice.
    expect(isStrictlyIncreasing(snapshot.map((c) => c.id))).toBe(true);
    expect(isStrictlyIncreasing(changes.map((c: Change) => toInt(c.rev)))).toBe(true);
    expect(changes.length).toBeGreaterThan(0);
  });

  it.runIf(process.env.DATABASE_URL)(
    'never lets a reader see a later seq while an earlier one is still in flight (PostgreSQL)',
    async () => {
      const reader = new RawProtocolClient(server.url, token);
      const { checkpoint } = await reader.pullAll('work_orders');
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      let inFlightSeq = 0;
      let slowPid = 0;
      // Writer A takes its seq, then stays uncommitted until released.
      const slow = server.db.transaction(async (tx) => {
        const { rows } = await tx.query<{ pid: unknown }>('SELECT pg_backend_pid() AS pid');
        slowPid = toInt(rows[0]!.pid);
        await lockSequence(tx, 'work_orders', 'alice');
        inFlightSeq = await writeRecord(tx, {
          collection: 'work_orders',
          owner: 'alice',
          id: 'slow',
          value: { n: 1 },
          writtenBy: null,
        });
        await gate;
      });
      await vi.waitFor(() => expect(inFlightSeq).toBeGreaterThan(0));
      // Writer B must queue behind A instead of committing seq + 1 first.
      const fast = server.admin.putRecord('work_orders', 'fast', { n: 2 }, 'alice');
      await vi.waitFor(async () => {
        const { rows } = await server.db.query<{ n: unknown }>(
          'SELECT count(*) AS n FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid))',
          [slowPid],
        );
        expect(toInt(rows[0]!.n)).toBeGreaterThan(0);
      });
      const during = await reader.pull({ collection: 'work_orders', checkpoint, windowSize: 100 });
      expect(during.body.changes).toEqual([]);
      release();
      await slow;
      const fastRev = await fast;
      expect(toInt(fastRev)).toBe(inFlightSeq + 1);
      const after = await reader.pull({ collection: 'work_orders', checkpoint, windowSize: 100 });
      expect(after.body.changes.map((c) => c.id)).toEqual(['slow', 'fast']);
    },
  );
});

function isStrictlyIncreasing<T>(values: T[]): boolean {
  return values.every((v, i) => i === 0 || values[i - 1]! < v);
}
