import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConformance } from '../../conformance/index.js';
import { startTestServer, type TestServer } from '../server/test-server.js';
import { explain, failedIds } from './kit-report.js';
import { type MemoryServer, startMemoryServer } from './memory-server/memory-server.js';

const hooksOf = (server: TestServer) => ({
  createUser: () => server.admin.createUser(`conformance-${randomBytes(4).toString('hex')}`),
});

describe('the scale-out checks (several instances of one deployment)', () => {
  let first: MemoryServer | undefined;
  let second: MemoryServer | undefined;
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it('pass on two in-memory instances sharing one store, and catch pokes that stay on their instance', async () => {
    first = await startMemoryServer({ adminToken: 'scale-out-admin-token' });
    second = await startMemoryServer({ shareWith: first });
    const shared = await runConformance({
      url: first.url,
      peers: [second.url],
      admin: { token: 'scale-out-admin-token' },
      only: ['scale-out'],
    });
    expect(
      shared.checks.map((c) => `${c.id} ${c.status}`),
      explain(shared),
    ).toEqual(['scale-out.checkpoints pass', 'scale-out.exactly-once pass', 'scale-out.pokes pass']);
    const local = await startMemoryServer({ shareWith: first, faults: ['local-pokes'] });
    try {
      const report = await runConformance({
        url: first.url,
        peers: [local.url],
        admin: { token: 'scale-out-admin-token' },
        only: ['scale-out'],
        maxWaitMs: 1000,
      });
      expect(failedIds(report), explain(report)).toEqual(['scale-out.pokes']);
      expect(report.checks.find((c) => c.id === 'scale-out.pokes')!.failure!.expected).toBe(
        'a poke for notes within 1000 ms',
      );
    } finally {
      await local.close();
    }
  });
});

// Two reference servers on one PostgreSQL database (PGlite is one process: PostgreSQL only).
describe.skipIf(!process.env.DATABASE_URL)('two reference servers on one PostgreSQL database', () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    a = await startTestServer();
    b = await startTestServer({ pgSchema: a.options.pgSchema! });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it("serve each other's checkpoints and stored push results, and poke each other's sessions (LISTEN/NOTIFY)", async () => {
    const report = await runConformance({
      url: a.url,
      peers: [b.url],
      hooks: hooksOf(a),
      only: ['scale-out'],
      maxWaitMs: 1500,
    });
    expect(
      report.checks.map((c) => `${c.id} ${c.status}`),
      explain(report),
    ).toEqual(['scale-out.checkpoints pass', 'scale-out.exactly-once pass', 'scale-out.pokes pass']);
  });
});
