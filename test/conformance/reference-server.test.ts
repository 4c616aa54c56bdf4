import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConformance } from '../../conformance/index.js';
import { startTestServer, type TestServer } from '../server/test-server.js';
import { explain, failedIds, skips } from './kit-report.js';

// The reference server (PGlite here, PostgreSQL in the server-postgres stage) against the whole
// kit, with every input the kit can use, so that no check is skipped.
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    // Settings that let every check run: refusable schema versions, short heartbeats, a window
    // small enough to fill.
    schemaVersions: { min: 2, minWritable: 3, max: 5 },
    heartbeatMs: 300,
    maxWindowSize: 50,
  });
});
afterAll(() => server?.close());

describe(`the conformance kit against the reference server`, () => {
  it('passes every check, none skipped', async () => {
    const report = await runConformance({
      url: server.url,
      hooks: {
        createUser: () => server.admin.createUser(`conformance-${randomBytes(4).toString('hex')}`),
        putRecord: async ({ collection, id, value, userId }) => {
          await server.admin.putRecord(collection, id, value, userId);
        },
        deleteRecord: async ({ collection, id, userId }) => {
          await server.admin.deleteRecord(collection, id, userId);
        },
        purgeTombstones: async () => {
          await server.admin.compactTombstones({ olderThanMs: 0 });
        },
        revokeToken: (user) => server.admin.revokeTokens(user.userId!),
      },
    });
    expect(failedIds(report), explain(report)).toEqual([]);
    expect(skips(report)).toEqual([]);
    expect(report.passed).toBe(report.checks.length);
  });
});
