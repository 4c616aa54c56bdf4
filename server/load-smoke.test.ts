import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../load/load-generator.js';
import { startTestServer, type TestServer } from '../test/server/test-server.js';

// A few seconds of the load generator (`npm run load`), so it keeps working: every simulated client
// pushes, is poked and pulls, without a failed request. Figures are docs/server-load.md's business.

const adminToken = 'admin-token-for-tests-0123456789';
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ adminToken });
});
afterAll(() => server?.close());

describe('load generator smoke', () => {
  it('drives 10 clients through push, poke and pull cycles without an error', async () => {
    const report = await runLoad({
      urls: [server.url],
      adminToken,
      clients: 10,
      durationMs: 1500,
      thinkMs: 20,
      mutationsPerPush: 3,
    });
    expect(report.errors).toEqual({});
    expect(report.notApplied).toBe(0);
    expect(report.pushes).toBeGreaterThan(0);
    expect(report.pokes).toBe(report.pushes);
    expect(report.pulls).toBeGreaterThanOrEqual(report.pushes);
  });
});
