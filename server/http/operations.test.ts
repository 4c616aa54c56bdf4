import { gunzipSync } from 'node:zlib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_PATHS } from '../../src/protocol/version.js';
import { RawProtocolClient } from '../../test/server/raw-protocol-client.js';
import { startTestServer, type TestServer } from '../../test/server/test-server.js';

const onPostgres = Boolean(process.env.DATABASE_URL);

let server: TestServer;
let client: RawProtocolClient;

beforeAll(async () => {
  server = await startTestServer({
    readyTimeoutMs: 300,
    cors: { origins: ['https://app.example'] },
    rateLimit: { requestsPerSecond: 0.01, burst: 10 },
  });
  client = new RawProtocolClient(server.url, (await server.admin.createUser('ops')).token);
  for (let i = 0; i < 40; i++) {
    await server.admin.putRecord(
      'customers',
      `c${i}`,
      { name: `Customer ${i}`, note: 'x'.repeat(100) },
      'ops',
    );
  }
});
afterAll(() => server?.close());

const pullBody = JSON.stringify({ collection: 'customers', checkpoint: null, windowSize: 100 });
/** A token of its own per test, so the rate limit of one test does not spill into another. */
async function freshClient(name: string) {
  return new RawProtocolClient(server.url, (await server.admin.createUser(name)).token);
}

describe('request ids and logs', () => {
  it('echoes a usable X-Request-Id, makes one when there is none, and logs it', async () => {
    const c = await freshClient('rid');
    const given = await fetch(server.url + PROTOCOL_PATHS.pull, {
      method: 'POST',
      headers: c.headers({ 'X-Request-Id': 'trace-42' }),
      body: pullBody,
    });
    expect(given.headers.get('x-request-id')).toBe('trace-42');
    const made = await fetch(server.url + PROTOCOL_PATHS.pull, {
      method: 'POST',
      headers: c.headers({ 'X-Request-Id': 'no spaces allowed' }),
      body: pullBody,
    });
    const id = made.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(server.logs).toContainEqual(expect.objectContaining({ event: 'request', requestId: 'trace-42' }));
    expect(server.logs).toContainEqual(expect.objectContaining({ event: 'request', requestId: id }));
  });

  it('logs every 500 with its request id and stack', async () => {
    const c = await freshClient('boom');
    await server.db.exec(`
      CREATE FUNCTION ops_boom() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'unexpected'; END $$;
      CREATE TRIGGER ops_boom BEFORE INSERT ON records FOR EACH ROW WHEN (NEW.owner = 'boom') EXECUTE FUNCTION ops_boom();
    `);
    try {
      const response = await fetch(server.url + PROTOCOL_PATHS.push, {
        method: 'POST',
        headers: c.headers({ 'X-Request-Id': 'will-fail' }),
        body: JSON.stringify({
          clientId: 'boom-1',
          mutations: [
            { mutationId: 1, collection: 'customers', id: 'x', op: 'put', baseRev: null, value: {} },
          ],
        }),
      });
      expect(response.status).toBe(500);
      expect(response.headers.get('x-request-id')).toBe('will-fail');
      expect(server.logs).toContainEqual(
        expect.objectContaining({
          level: 'error',
          event: 'error',
          requestId: 'will-fail',
          stack: expect.stringContaining('unexpected'),
        }),
      );
    } finally {
      await server.db.exec(`DROP TRIGGER ops_boom ON records; DROP FUNCTION ops_boom();`);
    }
  });
});

describe('health and readiness', () => {
  it('answers /health without the database and /ready 503 when the database does not answer in time', async () => {
    expect((await fetch(`${server.url}/ready`)).status).toBe(200);
    // Hold the database: an exclusive lock on PostgreSQL, the one connection on PGlite.
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const holder = onPostgres ? new pg.Client({ connectionString: process.env.DATABASE_URL }) : undefined;
    let held: Promise<unknown>;
    if (holder !== undefined) {
      await holder.connect();
      const schema = (await server.db.query<{ s: string }>(`SELECT current_schema() AS s`)).rows[0]!.s;
      await holder.query('BEGIN');
      await holder.query(`LOCK TABLE ${schema}.meta IN ACCESS EXCLUSIVE MODE`);
      held = released.then(() => holder.query('COMMIT'));
    } else {
      held = server.db.transaction(() => released);
    }
    try {
      const health = await fetch(`${server.url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ ok: true });
      const ready = await fetch(`${server.url}/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ ready: false, reason: 'database timeout' });
    } finally {
      release();
      await held;
      await holder?.end();
    }
    expect((await fetch(`${server.url}/ready`)).status).toBe(200);
  });
});

describe('compression', () => {
  it('compresses pull pages with brotli or gzip as Accept-Encoding allows', async () => {
    const c = await freshClient('zip');
    await server.admin.putRecord('customers', 'big', { note: 'y'.repeat(5000) }, 'zip');
    const pull = (acceptEncoding: string) =>
      fetch(server.url + PROTOCOL_PATHS.pull, {
        method: 'POST',
        headers: c.headers({ 'Accept-Encoding': acceptEncoding }),
        body: pullBody,
      });
    const br = await pull('gzip, deflate, br');
    expect(br.headers.get('content-encoding')).toBe('br');
    expect((await br.json()).changes).toHaveLength(1);
    const gzip = await pull('gzip');
    expect(gzip.headers.get('content-encoding')).toBe('gzip');
    expect(gzip.headers.get('vary')).toContain('Accept-Encoding');
    const plain = await pull('identity');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect((await plain.json()).changes[0].value.note).toHaveLength(5000);
    // What goes over the wire is really gzip (fetch decompresses transparently).
    const raw = await new Promise<Buffer>((resolve, reject) => {
      import('node:http').then(({ request }) => {
        const req = request(
          server.url + PROTOCOL_PATHS.pull,
          { method: 'POST', headers: c.headers({ 'Accept-Encoding': 'gzip' }) },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => resolve(Buffer.concat(chunks)));
          },
        );
        req.on('error', reject);
        req.end(pullBody);
      }, reject);
    });
    expect(raw.length).toBeLessThan(2000);
    expect(JSON.parse(gunzipSync(raw).toString()).changes).toHaveLength(1);
  });
});

describe('CORS', () => {
  it('answers preflights for configured origins only', async () => {
    const preflight = (origin: string) =>
      fetch(server.url + PROTOCOL_PATHS.pull, {
        method: 'OPTIONS',
        headers: {
          Origin: origin,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'authorization, content-type, x-schema-version',
        },
      });
    const allowed = await preflight('https://app.example');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(allowed.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-schema-version');
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('rate limiting', () => {
  it('answers 429 RATE_LIMITED with Retry-After once a token used its burst, other tokens unaffected', async () => {
    const greedy = await freshClient('greedy');
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 11; i++) {
      last = await fetch(server.url + PROTOCOL_PATHS.pull, {
        method: 'POST',
        headers: greedy.headers(),
        body: pullBody,
      });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([...Array.from({ length: 10 }, () => 200), 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await last!.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    expect((await client.pull({ collection: 'customers', checkpoint: null, windowSize: 1 })).status).toBe(
      200,
    );
  });
});

describe.runIf(onPostgres)('database timeouts on PostgreSQL', () => {
  it('answers a push that waits longer than the lock timeout with 503 SERVICE_UNAVAILABLE, not 500', async () => {
    const timed = await startTestServer({ pool: { lockTimeoutMs: 200 } });
    const holder = new pg.Client({ connectionString: process.env.DATABASE_URL });
    try {
      const c = new RawProtocolClient(timed.url, (await timed.admin.createUser('locked')).token);
      await timed.admin.putRecord('customers', 'a', { n: 0 }, 'locked');
      const schema = (await timed.db.query<{ s: string }>(`SELECT current_schema() AS s`)).rows[0]!.s;
      await holder.connect();
      await holder.query('BEGIN');
      await holder.query(
        `SELECT seq FROM ${schema}.collection_seq WHERE collection = 'customers' AND owner = 'locked' FOR UPDATE`,
      );
      const push = {
        clientId: 'locked-1',
        mutations: [
          { mutationId: 1, collection: 'customers', id: 'b', op: 'put' as const, baseRev: null, value: {} },
        ],
      };
      const refused = await c.push(push);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.body.error.code).toBe('SERVICE_UNAVAILABLE');
      await holder.query('COMMIT');
      const retried = await c.push(push);
      expect(retried.body.results).toEqual([{ mutationId: 1, status: 'applied', rev: '2' }]);
    } finally {
      await holder.end();
      await timed.close();
    }
  });

  it('logs errors of idle pooled connections instead of dropping them', async () => {
    const logged = await startTestServer();
    try {
      await logged.db.query('SELECT 1');
      const schema = (await logged.db.query<{ s: string }>(`SELECT current_schema() AS s`)).rows[0]!.s;
      const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await admin.connect();
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND state = 'idle'`,
        [`idb-sync/${schema}`],
      );
      await admin.end();
      await expect.poll(() => logged.logs.some((e) => e.event === 'pool-error')).toBe(true);
    } finally {
      await logged.close();
    }
  });
});
