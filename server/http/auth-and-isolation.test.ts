import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawProtocolClient } from '../../test/server/raw-protocol-client.js';
import { startTestServer, type TestServer } from '../../test/server/test-server.js';

let server: TestServer;
let alice: RawProtocolClient;
let bob: RawProtocolClient;

beforeAll(async () => {
  server = await startTestServer();
  alice = new RawProtocolClient(server.url, (await server.admin.createUser('alice')).token);
  bob = new RawProtocolClient(server.url, (await server.admin.createUser('bob')).token);
  await server.admin.putRecord('work_orders', 'same-id', { owner: 'alice', secret: 'a' }, 'alice');
  await server.admin.putRecord('work_orders', 'only-alice', { owner: 'alice' }, 'alice');
  await server.admin.putRecord('work_orders', 'same-id', { owner: 'bob' }, 'bob');
  await server.admin.putRecord('service_types', 'st-1', { name: 'Boiler repair' });
});
afterAll(() => server?.close());

describe('auth', () => {
  it('answers 401 UNAUTHORIZED without a token or with an unknown one, and 200 with a valid one', async () => {
    for (const client of [
      new RawProtocolClient(server.url, undefined),
      new RawProtocolClient(server.url, 'not-a-real-token'),
    ]) {
      const { status, body } = await client.pull({
        collection: 'work_orders',
        checkpoint: null,
        windowSize: 10,
      });
      expect(status).toBe(401);
      expect(body.error.code).toBe('UNAUTHORIZED');
    }
    expect((await alice.pull({ collection: 'work_orders', checkpoint: null, windowSize: 10 })).status).toBe(
      200,
    );
  });

  it('stops accepting revoked tokens', async () => {
    const { token } = await server.admin.createUser('temp');
    const temp = new RawProtocolClient(server.url, token);
    expect((await temp.pull({ collection: 'customers', checkpoint: null, windowSize: 1 })).status).toBe(200);
    await server.admin.revokeTokens('temp');
    expect((await temp.pull({ collection: 'customers', checkpoint: null, windowSize: 1 })).status).toBe(401);
  });

  it('uses an injected authenticate hook instead of the token table, whose users can push without a users row', async () => {
    const custom = await startTestServer({
      authenticate: async (token) => (token === 'jwt-for-zoe' ? { userId: 'zoe' } : null),
    });
    try {
      // Regression: a user the `users` table does not know failed every push on a foreign key (500).
      const zoe = new RawProtocolClient(custom.url, 'jwt-for-zoe');
      const pushed = await zoe.push({
        clientId: 'zoe-phone',
        mutations: [
          { mutationId: 1, collection: 'customers', id: 'c1', op: 'put', baseRev: null, value: { n: 1 } },
        ],
      });
      expect(pushed.status).toBe(200);
      expect(pushed.body.results).toEqual([{ mutationId: 1, status: 'applied', rev: '1' }]);
      const ok = await zoe.pull({ collection: 'customers', checkpoint: null, windowSize: 1 });
      expect(ok.status).toBe(200);
      expect(ok.body.changes).toEqual([{ id: 'c1', rev: '1', op: 'put', value: { n: 1 } }]);
      // A second installation of the same user.
      const second = await zoe.push({ clientId: 'zoe-laptop', mutations: [] });
      expect(second.status).toBe(200);
      const no = await new RawProtocolClient(custom.url, 'other').pull({
        collection: 'customers',
        checkpoint: null,
        windowSize: 1,
      });
      expect(no.status).toBe(401);
    } finally {
      await custom.close();
    }
  });
});

describe('isolation between users', () => {
  it('shows each user only their own records of a per-user collection, even with the same ids', async () => {
    const a = await alice.pullAll('work_orders');
    const b = await bob.pullAll('work_orders');
    expect(a.pages.flatMap((p) => p.changes.map((c) => c.id))).toEqual(['only-alice', 'same-id']);
    expect(b.pages.flatMap((p) => p.changes)).toEqual([
      { id: 'same-id', rev: expect.any(String), op: 'put', value: { owner: 'bob' } },
    ]);
  });

  it("refuses another user's checkpoint instead of serving it", async () => {
    const a = await alice.pull({ collection: 'work_orders', checkpoint: null, windowSize: 1 });
    const forged = await bob.pull({
      collection: 'work_orders',
      checkpoint: a.body.checkpoint,
      windowSize: 10,
    });
    expect(forged.status).toBe(400);
    expect(forged.body.error.code).toBe('INVALID_CHECKPOINT');
    // …nor for another collection of the same user.
    const moved = await alice.pull({
      collection: 'customers',
      checkpoint: a.body.checkpoint,
      windowSize: 10,
    });
    expect(moved.body.error.code).toBe('INVALID_CHECKPOINT');
  });

  it('refuses tampered checkpoints (edited payload, edited signature, garbage)', async () => {
    const b = await bob.pull({ collection: 'work_orders', checkpoint: null, windowSize: 1 });
    const [payload, signature] = b.body.checkpoint.split('.') as [string, string];
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const asAlice = Buffer.from(JSON.stringify({ ...decoded, u: 'alice' })).toString('base64url');
    const flipped = signature.slice(0, -2) + (signature.endsWith('AA') ? 'BB' : 'AA');
    for (const checkpoint of [
      `${asAlice}.${signature}`,
      `${payload}.${flipped}`,
      'garbage',
      `${payload}`,
      'a.b.c',
    ]) {
      const { status, body } = await bob.pull({ collection: 'work_orders', checkpoint, windowSize: 10 });
      expect(status, checkpoint).toBe(400);
      expect(body.error.code).toBe('INVALID_CHECKPOINT');
    }
  });

  it("cannot overwrite another user's record through a push with the same id", async () => {
    const bobsRev = (await server.admin.getRecord('work_orders', 'same-id', 'bob'))!.rev;
    const { body } = await alice.push({
      clientId: 'alice-phone',
      mutations: [
        {
          mutationId: 1,
          collection: 'work_orders',
          id: 'same-id',
          op: 'put',
          baseRev: String(bobsRev),
          value: { hacked: true },
        },
      ],
    });
    // Revs are per user and collection, so Bob's rev may well be Alice's too: whatever the answer,
    // it concerns Alice's own record of that id, never Bob's.
    const alices = await server.admin.getRecord('work_orders', 'same-id', 'alice');
    if (body.results[0]?.status === 'applied') expect(alices?.value).toEqual({ hacked: true });
    else
      expect(body.results[0]).toMatchObject({
        status: 'conflict',
        current: { value: { owner: 'alice', secret: 'a' } },
      });
    expect((await server.admin.getRecord('work_orders', 'same-id', 'bob'))?.value).toEqual({ owner: 'bob' });
  });

  it('lets every user read shared collections', async () => {
    for (const client of [alice, bob]) {
      const { pages } = await client.pullAll('service_types');
      expect(pages.flatMap((p) => p.changes.map((c) => c.id))).toEqual(['st-1']);
    }
  });
});

describe('read-only collections', () => {
  it('rejects pushes to them, logs the rejection and changes nothing', async () => {
    const before = await server.admin.getRecord('service_types', 'st-1');
    const { status, body } = await alice.push({
      clientId: 'alice-tablet',
      mutations: [
        {
          mutationId: 1,
          collection: 'service_types',
          id: 'st-1',
          op: 'put',
          baseRev: String(before!.rev),
          value: { name: 'x' },
        },
        {
          mutationId: 2,
          collection: 'service_types',
          id: 'st-new',
          op: 'put',
          baseRev: null,
          value: { name: 'y' },
        },
        { mutationId: 3, collection: 'work_orders', id: 'fine', op: 'put', baseRev: null, value: {} },
      ],
    });
    expect(status).toBe(200);
    expect(body.results).toEqual([
      { mutationId: 1, status: 'rejected', reason: 'read-only', message: expect.any(String) },
      { mutationId: 2, status: 'rejected', reason: 'read-only', message: expect.any(String) },
      { mutationId: 3, status: 'applied', rev: expect.any(String) },
    ]);
    expect(await server.admin.getRecord('service_types', 'st-1')).toEqual(before);
    expect(await server.admin.getRecord('service_types', 'st-new')).toBeNull();
    const warnings = server.logs.filter((l) => l.event === 'push-rejected');
    expect(warnings.map((w) => [w.collection, w.mutationId, w.level])).toEqual([
      ['service_types', 1, 'warn'],
      ['service_types', 2, 'warn'],
    ]);
  });

  it('rejects writes a canWrite hook forbids', async () => {
    const guarded = await startTestServer({ canWrite: (_user, m) => !m.id.startsWith('locked-') });
    try {
      const c = new RawProtocolClient(guarded.url, (await guarded.admin.createUser('u')).token);
      const { body } = await c.push({
        clientId: 'u-1',
        mutations: [
          { mutationId: 1, collection: 'customers', id: 'locked-1', op: 'put', baseRev: null, value: {} },
          { mutationId: 2, collection: 'customers', id: 'open-1', op: 'put', baseRev: null, value: {} },
        ],
      });
      expect(body.results.map((r) => (r.status === 'rejected' ? r.reason : r.status))).toEqual([
        'forbidden',
        'applied',
      ]);
      expect(await guarded.admin.getRecord('customers', 'locked-1', 'u')).toBeNull();
    } finally {
      await guarded.close();
    }
  });
});
