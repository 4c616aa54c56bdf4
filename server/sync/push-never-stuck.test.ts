import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mutation, MutationResult, PushResponse } from '../../src/protocol/index.js';
import { PROTOCOL_PATHS } from '../../src/protocol/version.js';
import { RawProtocolClient } from '../../test/server/raw-protocol-client.js';
import { startTestServer, type TestServer } from '../../test/server/test-server.js';

// Values the database cannot store, or that break the documented limits, must be refused per
// mutation before anything is written: before, they made the push answer 500 after earlier batches
// had committed, and every retry 500 again, so the client's outbox was stuck for good.

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ maxValueBytes: 2048, maxValueDepth: 20, maxBodyBytes: 4 * 1024 * 1024 });
});
afterAll(() => server?.close());

async function user(name: string) {
  const { token } = await server.admin.createUser(name);
  return new RawProtocolClient(server.url, token);
}

const put = (mutationId: number, id: string, value: Record<string, unknown>): Mutation => ({
  mutationId,
  collection: 'work_orders',
  id,
  op: 'put',
  baseRev: null,
  value,
});

/** `{ a: { a: … {} } }`, `depth` objects deep. */
function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < depth; i++) value = { a: value };
  return value;
}

/** The JSON text of {@link nested}: too deep for `JSON.stringify`, which overflows the stack. */
const nestedJson = (depth: number) => `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;

async function storedIds(owner: string): Promise<string[]> {
  const { rows } = await server.db.query<{ id: string }>(
    `SELECT id FROM records WHERE collection = 'work_orders' AND owner = $1 ORDER BY id`,
    [owner],
  );
  return rows.map((r) => r.id);
}

const rejected = (mutationId: number, code: string) =>
  expect.objectContaining({ mutationId, status: 'rejected', reason: 'invalid', code });

describe('values the database cannot store', () => {
  it('are rejected per mutation with a code before anything is written, and a retry gets the same answers', async () => {
    const ann = await user('ann');
    const request = {
      clientId: 'ann-phone',
      mutations: [
        put(1, 'good-1', { title: 'fine' }),
        put(2, 'nul-string', { title: 'a\u0000b' }),
        put(3, 'nul-key', { 'x\u0000': 1 }),
        put(4, 'lone-surrogate', { title: 'broken \ud800 pair' }),
        put(5, 'deep', { placeholder: true }),
        put(6, 'large', { blob: 'x'.repeat(3000) }),
        put(7, 'nul-\u0000-id', { title: 'fine' }),
        put(8, 'surrogate-\udc00-id', { title: 'fine' }),
        put(9, 'good-2', { title: 'paired 😀 is fine', deep: nested(19) }),
      ],
    };
    // Sent as text: 5,000 levels (which crashed the server's JSON.stringify) are beyond JSON.stringify here too.
    const body = JSON.stringify(request).replace('{"placeholder":true}', nestedJson(5000));
    const first = await ann.post<PushResponse>(PROTOCOL_PATHS.push, body);
    expect(first.status).toBe(200);
    expect(first.body.results).toEqual([
      { mutationId: 1, status: 'applied', rev: '1' },
      rejected(2, 'NOT_STORABLE'),
      rejected(3, 'NOT_STORABLE'),
      rejected(4, 'NOT_STORABLE'),
      rejected(5, 'VALUE_TOO_DEEP'),
      rejected(6, 'VALUE_TOO_LARGE'),
      rejected(7, 'NOT_STORABLE'),
      rejected(8, 'NOT_STORABLE'),
      { mutationId: 9, status: 'applied', rev: '2' },
    ]);
    expect(await storedIds('ann')).toEqual(['good-1', 'good-2']);

    const retry = await ann.post<PushResponse>(PROTOCOL_PATHS.push, body);
    expect(retry.body.results).toEqual(first.body.results);
    const next = await ann.push({ clientId: 'ann-phone', mutations: [put(10, 'later', { n: 1 })] });
    expect(next.body.results).toEqual([{ mutationId: 10, status: 'applied', rev: '3' }]);
  });

  it('rejects only the mutation whose value the database itself refuses, when the checks did not foresee it', async () => {
    const bea = await user('bea');
    // A database rule the server's checks do not know: any value with a `poison` field is a data error.
    await server.db.exec(`
      CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.value ? 'poison' THEN
          RAISE EXCEPTION 'poisoned value' USING ERRCODE = '22023';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse_poison BEFORE INSERT OR UPDATE ON records FOR EACH ROW EXECUTE FUNCTION refuse_poison();
    `);
    try {
      const answer = await bea.push({
        clientId: 'bea-phone',
        mutations: [put(1, 'a', { n: 1 }), put(2, 'b', { poison: true }), put(3, 'c', { n: 3 })],
      });
      expect(answer.status).toBe(200);
      expect(answer.body.results).toEqual([
        { mutationId: 1, status: 'applied', rev: '1' },
        rejected(2, 'NOT_STORABLE'),
        { mutationId: 3, status: 'applied', rev: '2' },
      ]);
      expect(await storedIds('bea')).toEqual(['a', 'c']);
      expect(server.logs).toContainEqual(
        expect.objectContaining({ level: 'warn', event: 'push-rejected', userId: 'bea', mutationId: 2 }),
      );
    } finally {
      await server.db.exec(`DROP TRIGGER refuse_poison ON records; DROP FUNCTION refuse_poison();`);
    }
  });
});

describe('a push is atomic per mutation', () => {
  it('keeps what committed before a failure half-way, and its retry answers those from storage and applies the rest', async () => {
    const cal = await user('cal');
    // A failure that is not about content (raised by a trigger standing for any database fault).
    await server.db.exec(`
      CREATE FUNCTION fail_once() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.id = 'm120' AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'test_failed_once') THEN
          RAISE EXCEPTION 'transient failure';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER fail_once BEFORE INSERT ON records FOR EACH ROW EXECUTE FUNCTION fail_once();
    `);
    const mutations = Array.from({ length: 150 }, (_, i) => put(i + 1, `m${i + 1}`, { n: i + 1 }));
    try {
      const failed = await cal.push({ clientId: 'cal-phone', mutations });
      expect(failed.status).toBe(500);
      expect(failed.body.error.code).toBe('INTERNAL_ERROR');
      // Each mutation is all or nothing: a prefix is in, with its stored result; the rest is not.
      const applied = await storedIds('cal');
      expect(applied.length).toBeGreaterThan(0);
      expect(applied.length).toBeLessThan(120);
      await server.db.query(`INSERT INTO meta (key, value) VALUES ('test_failed_once', '1')`);

      const retry = await cal.push({ clientId: 'cal-phone', mutations });
      expect(retry.status).toBe(200);
      const results = retry.body.results as MutationResult[];
      expect(results.map((r) => r.status)).toEqual(mutations.map(() => 'applied'));
      expect(results.map((r) => (r.status === 'applied' ? Number(r.rev) : 0))).toEqual(
        mutations.map((_, i) => i + 1),
      );
      expect((await storedIds('cal')).length).toBe(150);
    } finally {
      await server.db.exec(`DROP TRIGGER fail_once ON records; DROP FUNCTION fail_once();`);
      await server.db.query(`DELETE FROM meta WHERE key = 'test_failed_once'`);
    }
  });
});

describe('too many mutations', () => {
  it('answers 1,001 mutations (above the protocol limit) with 413 PAYLOAD_TOO_LARGE, not 400', async () => {
    const dan = await user('dan');
    const mutations = Array.from({ length: 1001 }, (_, i) => put(i + 1, `d${i}`, {}));
    const answer = await dan.post<{ error: { code: string } }>(PROTOCOL_PATHS.push, {
      clientId: 'dan-phone',
      mutations,
    });
    expect(answer.status).toBe(413);
    expect(answer.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await storedIds('dan')).toEqual([]);
  });
});
