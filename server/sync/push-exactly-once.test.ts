import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mutation } from '../../src/protocol/index.js';
import { RawProtocolClient } from '../../test/server/raw-protocol-client.js';
import { startTestServer, type TestServer } from '../../test/server/test-server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

async function user(name: string) {
  const { token } = await server.admin.createUser(name);
  return new RawProtocolClient(server.url, token);
}

const put = (
  mutationId: number,
  id: string,
  value: Record<string, unknown>,
  baseRev: string | null = null,
): Mutation => ({
  mutationId,
  collection: 'work_orders',
  id,
  op: 'put',
  baseRev,
  value,
});

/** How many times the change log holds a write of `id` (revs are unique per write). */
async function seqOf(owner: string): Promise<number> {
  const { rows } = await server.db.query<{ seq: unknown }>(
    `SELECT seq FROM collection_seq WHERE collection = 'work_orders' AND owner = $1`,
    [owner],
  );
  return Number(rows[0]?.seq ?? 0);
}

describe('push', () => {
  it('applies a retried push once and answers the retry with the same results', async () => {
    const alice = await user('alice');
    const request = { clientId: 'phone-1', mutations: [put(1, 'a', { n: 1 }), put(2, 'b', { n: 2 })] };
    const first = await alice.push(request);
    expect(first.status).toBe(200);
    expect(first.body.results.map((r) => r.status)).toEqual(['applied', 'applied']);
    const seqAfterFirst = await seqOf('alice');

    const retry = await alice.push(request);
    expect(retry.body.results).toEqual(first.body.results);
    expect(await seqOf('alice')).toBe(seqAfterFirst);

    // A retry that overlaps with new mutations: old ones answered from storage, new ones applied.
    const mixed = await alice.push({
      clientId: 'phone-1',
      mutations: [...request.mutations, put(3, 'c', { n: 3 })],
    });
    expect(mixed.body.results.slice(0, 2)).toEqual(first.body.results);
    expect(mixed.body.results[2]).toMatchObject({ mutationId: 3, status: 'applied' });
    expect(await seqOf('alice')).toBe(seqAfterFirst + 1);
  });

  it('applies once when the same push is retried concurrently (a timeout and a retry racing)', async () => {
    const bob = await user('bob');
    const request = {
      clientId: 'tablet-1',
      mutations: Array.from({ length: 20 }, (_, i) => put(i + 1, `w${i}`, { i })),
    };
    const answers = await Promise.all([bob.push(request), bob.push(request), bob.push(request)]);
    for (const a of answers) expect(a.body.results).toEqual(answers[0]!.body.results);
    expect(answers[0]!.body.results.every((r) => r.status === 'applied')).toBe(true);
    expect(await seqOf('bob')).toBe(20);
  });

  it('treats a create retried under a new mutation id by the same client as idempotent', async () => {
    const carol = await user('carol');
    const first = await carol.push({
      clientId: 'c-phone',
      mutations: [put(1, 'contact-1', { name: 'Ann', tags: ['a'] })],
    });
    expect(first.body.results[0]).toMatchObject({ status: 'applied' });
    // The app lost its outbox state and queued the same create again (keys in another order).
    const again = await carol.push({
      clientId: 'c-phone',
      mutations: [put(2, 'contact-1', { tags: ['a'], name: 'Ann' })],
    });
    expect(again.body.results[0]).toEqual({
      mutationId: 2,
      status: 'applied',
      rev: (first.body.results[0] as { rev: string }).rev,
    });
    expect(await server.admin.countRecords('work_orders', 'carol')).toBe(1);

    // Another client, or another value, creating the same id is a conflict.
    const other = await carol.push({
      clientId: 'c-laptop',
      mutations: [put(1, 'contact-1', { name: 'Ann', tags: ['a'] })],
    });
    expect(other.body.results[0]).toMatchObject({
      status: 'conflict',
      current: { id: 'contact-1', op: 'put' },
    });
    const changed = await carol.push({
      clientId: 'c-phone',
      mutations: [put(3, 'contact-1', { name: 'Anne' })],
    });
    expect(changed.body.results[0]).toMatchObject({ status: 'conflict' });
  });

  it('answers retries of mutations whose stored result was pruned as expired, never re-applying them', async () => {
    const small = await startTestServer({ mutationResultRetention: 5 });
    try {
      const dave = new RawProtocolClient(small.url, (await small.admin.createUser('dave')).token);
      const mutations = Array.from({ length: 12 }, (_, i) => put(i + 1, `d${i}`, { i }));
      await dave.push({ clientId: 'd-1', mutations });
      const seq = await small.admin.countRecords('work_orders', 'dave');
      const retry = await dave.push({ clientId: 'd-1', mutations });
      // Retention is 5: results of mutations 1..7 are gone, 8..12 still answer as before.
      expect(
        retry.body.results.slice(0, 7).every((r) => r.status === 'rejected' && r.reason === 'expired'),
      ).toBe(true);
      expect(retry.body.results.slice(7).every((r) => r.status === 'applied')).toBe(true);
      expect(await small.admin.countRecords('work_orders', 'dave')).toBe(seq);
      const { rows } = await small.db.query(`SELECT 1 FROM records WHERE owner = 'dave' AND rev > 12`);
      expect(rows).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it('processes mutations in order within a push: a later mutation builds on an earlier one', async () => {
    const erin = await user('erin');
    const created = await erin.push({ clientId: 'e-1', mutations: [put(1, 'x', { v: 1 })] });
    const rev1 = (created.body.results[0] as { rev: string }).rev;
    const { body } = await erin.push({
      clientId: 'e-1',
      mutations: [
        put(2, 'x', { v: 2 }, rev1),
        {
          mutationId: 3,
          collection: 'work_orders',
          id: 'x',
          op: 'delete',
          baseRev: String(Number(rev1) + 1),
        },
      ],
    });
    expect(body.results.map((r) => r.status)).toEqual(['applied', 'applied']);
    expect((await server.admin.getRecord('work_orders', 'x', 'erin'))?.deleted).toBe(true);
  });

  it('refuses a client id that another user already pushed with', async () => {
    const frank = await user('frank');
    const gina = await user('gina');
    expect((await frank.push({ clientId: 'shared-device', mutations: [put(1, 'f', {})] })).status).toBe(200);
    const stolen = await gina.push({ clientId: 'shared-device', mutations: [put(2, 'g', {})] });
    expect(stolen.status).toBe(403);
    expect(stolen.body.error.code).toBe('CLIENT_ID_FORBIDDEN');
    expect(await server.admin.getRecord('work_orders', 'g', 'gina')).toBeNull();
  });

  it('accepts an empty push', async () => {
    const hank = await user('hank');
    const { status, body } = await hank.push({ clientId: 'h-1', mutations: [] });
    expect(status).toBe(200);
    expect(body).toEqual({ protocolVersion: 1, results: [] });
  });
});
