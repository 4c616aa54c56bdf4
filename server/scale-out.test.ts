import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Mutation } from '../src/protocol/messages.js';
import { PROTOCOL_HEADERS, PROTOCOL_PATHS } from '../src/protocol/version.js';
import { RawProtocolClient } from '../test/server/raw-protocol-client.js';
import { dropSchema, startTestServer } from '../test/server/test-server.js';

// N stateless instances on one PostgreSQL. Pokes used to stay on the instance that took the write,
// and compaction (one transaction for all tenants, records locked before sequences) deadlocked with
// pushes: 15 deadlocks, 11 of 48 pushes answered 500. PostgreSQL only: PGlite is one process.

const databaseUrl = process.env.DATABASE_URL;
const adminToken = 'admin-token-for-tests-0123456789';

/** `promise`, or a failure naming the step that did not happen within 15 s. */
function step<T>(label: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${label} within 15 s`)), 15_000);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

interface Instance {
  url: string;
  child: ChildProcess;
  output: () => string;
}

describe.runIf(databaseUrl)('three server processes on one PostgreSQL', () => {
  const schema = `scale_${randomBytes(5).toString('hex')}`;
  const instances: Instance[] = [];
  let url: string;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    const withSchema = new URL(databaseUrl!);
    withSchema.searchParams.set('options', `-c search_path=${schema}`);
    url = withSchema.toString();
    const env = { ...process.env, DATABASE_URL: url };
    const migrated = spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts', 'migrate'], {
      encoding: 'utf8',
      env,
    });
    expect(migrated.status, migrated.stderr).toBe(0);
    const start = () =>
      new Promise<Instance>((resolve, reject) => {
        let output = '';
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', 'server/main.ts', '--port', '0', '--admin-token', adminToken],
          { env },
        );
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          const match = /reference server on (http:\/\/\S+)/.exec(output);
          if (match) resolve({ url: match[1]!, child, output: () => output });
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
      });
    instances.push(...(await Promise.all([start(), start(), start()])));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(
      instances.map(
        (i) =>
          new Promise<void>((resolve) => {
            if (i.child.exitCode !== null) return resolve();
            i.child.once('exit', () => resolve());
            i.child.kill('SIGTERM');
          }),
      ),
    );
    await dropSchema(databaseUrl!, schema);
  }, 60_000);

  const adminCall = (i: number, path: string, body: unknown) =>
    fetch(`${instances[i]!.url}/admin${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const createUser = async (i: number, userId: string) =>
    ((await (await adminCall(i, '/users', { userId })).json()) as { token: string }).token;

  it('pokes SSE and WebSocket listeners on every instance for a change pushed through any one, and ends sessions revoked on another', async () => {
    const token = await createUser(0, 'alice');
    const headers = { authorization: `Bearer ${token}`, [PROTOCOL_HEADERS.schemaVersion]: '1' };

    // SSE on instance 1.
    const events = await fetch(instances[1]!.url + PROTOCOL_PATHS.events, { headers });
    const reader = events.body!.getReader();
    let sseText = '';
    const ssePoke = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return sseText;
        sseText += new TextDecoder().decode(value);
        if (/event: poke\ndata: \{"collection":"work_orders","seq":1\}/.test(sseText)) return sseText;
      }
    })();
    await step(
      'SSE hello',
      new Promise<void>((resolve) => {
        const check = () => (sseText.includes('event: hello') ? resolve() : setTimeout(check, 10));
        check();
      }),
    );

    // WebSocket on instance 2.
    const ws = new WebSocket(`${instances[2]!.url.replace('http', 'ws')}${PROTOCOL_PATHS.ws}`);
    const wsMessages: { type: string; collection?: string; seq?: number }[] = [];
    const wsClosed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    const wsPoke = new Promise<void>((resolve) => {
      ws.on('message', (raw) => {
        const message = JSON.parse(String(raw)) as { type: string; collection?: string; seq?: number };
        wsMessages.push(message);
        if (message.type === 'poke' && message.collection === 'work_orders' && message.seq === 1) resolve();
      });
    });
    await step(
      'WebSocket hello',
      new Promise<void>((resolve) => {
        ws.once('open', () => ws.send(JSON.stringify({ type: 'hello', token, schemaVersion: 1 })));
        const wait = () => (wsMessages.some((m) => m.type === 'hello') ? resolve() : setTimeout(wait, 10));
        wait();
      }),
    );

    // The write goes through instance 0.
    const writer = new RawProtocolClient(instances[0]!.url, token);
    const pushed = await writer.push({
      clientId: 'alice-phone',
      mutations: [
        { mutationId: 1, collection: 'work_orders', id: 'w1', op: 'put', baseRev: null, value: { t: 1 } },
      ],
    });
    expect(pushed.body.results).toEqual([{ mutationId: 1, status: 'applied', rev: '1' }]);

    await step('WebSocket poke on instance 2', wsPoke);
    expect(await step('SSE poke on instance 1', ssePoke)).toContain('event: poke');
    const reader2 = new RawProtocolClient(instances[2]!.url, token);
    const pulled = await reader2.pull({ collection: 'work_orders', checkpoint: null, windowSize: 10 });
    expect(pulled.body.changes).toEqual([{ id: 'w1', rev: '1', op: 'put', value: { t: 1 } }]);

    // Revoked through instance 0: the WebSocket session on instance 2 ends at once.
    expect(await (await adminCall(0, '/revoke', { userId: 'alice' })).json()).toEqual({ revoked: 1 });
    expect(await step('WebSocket close on instance 2', wsClosed)).toBe(4401);
    await step('SSE cancel', reader.cancel());
  }, 60_000);

  it('compacts tombstones under concurrent pushes through the three instances without a deadlock or a 500', async () => {
    const users = await Promise.all(
      Array.from({ length: 12 }, async (_, u) => {
        const token = await createUser(u % 3, `u${u}`);
        return { id: `u${u}`, token, next: 1 };
      }),
    );
    const put = (m: number, collection: string, id: string): Mutation => ({
      mutationId: m,
      collection,
      id,
      op: 'put',
      baseRev: null,
      value: { m },
    });
    // Every user: 20 records in each of two collections, then deletes of half of them (tombstones).
    await Promise.all(
      users.map(async (user, u) => {
        const client = new RawProtocolClient(instances[u % 3]!.url, user.token);
        const mutations: Mutation[] = [];
        for (let i = 0; i < 20; i++) {
          mutations.push(put(user.next++, 'work_orders', `w${i}`), put(user.next++, 'customers', `c${i}`));
        }
        const created = await client.push({ clientId: `${user.id}-a`, mutations });
        expect(created.status).toBe(200);
        const revs = created.body.results.map((r) => (r.status === 'applied' ? r.rev : ''));
        const deletes: Mutation[] = [];
        for (let i = 0; i < 10; i++) {
          for (const [k, collection] of [
            [2 * i, 'work_orders'],
            [2 * i + 1, 'customers'],
          ] as const) {
            deletes.push({
              mutationId: user.next++,
              collection,
              id: `${collection === 'work_orders' ? 'w' : 'c'}${i}`,
              op: 'delete',
              baseRev: revs[k]!,
            });
          }
        }
        expect((await client.push({ clientId: `${user.id}-a`, mutations: deletes })).status).toBe(200);
      }),
    );

    // 48 pushes (each writing both collections, so it locks two sequences) and 6 compactions at once,
    // spread over the three instances.
    const pushes = users.flatMap((user, u) =>
      Array.from({ length: 4 }, (_, p) => {
        const client = new RawProtocolClient(instances[(u + p) % 3]!.url, user.token);
        const mutations: Mutation[] = [];
        for (let i = 0; i < 5; i++) {
          mutations.push(
            put(1000 * (p + 1) + 2 * i, 'customers', `p${p}-c${i}`),
            put(1000 * (p + 1) + 2 * i + 1, 'work_orders', `p${p}-w${i}`),
          );
        }
        return client.push({ clientId: `${user.id}-p${p}`, mutations }).then((r) => r.status);
      }),
    );
    const compactions = Array.from({ length: 6 }, (_, i) =>
      adminCall(i % 3, '/compact', { olderThanMs: 0 }).then((r) => r.status),
    );
    const [pushStatuses, compactionStatuses] = await Promise.all([
      Promise.all(pushes),
      Promise.all(compactions),
    ]);
    expect(pushStatuses).toEqual(pushStatuses.map(() => 200));
    expect(compactionStatuses).toEqual([200, 200, 200, 200, 200, 200]);
    for (const instance of instances) {
      expect(instance.output()).not.toMatch(/deadlock|INTERNAL_ERROR| 500 /);
    }
    // Every tombstone is gone, and every user's horizon moved past its deletes.
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const tombstones = await db.query(`SELECT count(*)::int AS n FROM records WHERE deleted`);
      expect(tombstones.rows[0].n).toBe(0);
      const horizons = await db.query(
        `SELECT count(*)::int AS n FROM collection_seq WHERE owner LIKE 'u%' AND horizon > 0`,
      );
      expect(horizons.rows[0].n).toBe(24);
    } finally {
      await db.end();
    }
  }, 120_000);
});

describe.runIf(databaseUrl)('instances in one process on one PostgreSQL', () => {
  it('runs once per interval whichever instances tick at the same time (advisory-lock election)', async () => {
    const hour = 3_600_000;
    const first = await startTestServer({ compactionIntervalMs: hour });
    const schema = first.options.pgSchema!;
    const others = await Promise.all([
      startTestServer({ pgSchema: schema, compactionIntervalMs: hour }),
      startTestServer({ pgSchema: schema, compactionIntervalMs: hour }),
    ]);
    try {
      // An interval of one hour: of three instances ticking at once, one does the work.
      const runs = await Promise.all([first, ...others].map((s) => s.housekeeping()));
      expect(runs.filter((r) => r.ran)).toHaveLength(1);
      expect((await Promise.all([first, ...others].map((s) => s.housekeeping()))).some((r) => r.ran)).toBe(
        false,
      );
    } finally {
      await Promise.all(others.map((s) => s.close()));
      await first.close();
    }
  });

  it('listens again after losing its LISTEN connection, catches up with a poke, and hears later changes', async () => {
    const a = await startTestServer();
    const b = await startTestServer({ pgSchema: a.options.pgSchema! });
    try {
      const { token } = await a.admin.createUser('lena');
      await a.admin.putRecord('work_orders', 'w1', { n: 1 }, 'lena');
      const ws = new WebSocket(`${b.url.replace('http', 'ws')}${PROTOCOL_PATHS.ws}`);
      const pokes: number[] = [];
      await new Promise<void>((resolve) => {
        ws.once('open', () => ws.send(JSON.stringify({ type: 'hello', token, schemaVersion: 1 })));
        ws.on('message', (raw) => {
          const m = JSON.parse(String(raw)) as { type: string; seq?: number };
          if (m.type === 'hello') resolve();
          if (m.type === 'poke') pokes.push(m.seq!);
        });
      });
      const admin = new pg.Client({ connectionString: databaseUrl });
      await admin.connect();
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`,
        [`idb-sync/${b.options.pgSchema}/listen`],
      );
      await admin.end();
      // B notices, listens again and pokes its sessions with where their collections are (seq 1).
      await expect
        .poll(() => b.logs.some((e) => e.msg === 'change notifications: listening again'))
        .toBe(true);
      await expect.poll(() => pokes.includes(1)).toBe(true);
      await a.admin.putRecord('work_orders', 'w2', { n: 2 }, 'lena');
      await expect.poll(() => pokes.includes(2)).toBe(true);
      ws.close();
    } finally {
      await b.close();
      await a.close();
    }
  });
});
