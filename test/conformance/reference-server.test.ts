import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConformance } from '../../conformance/index.js';
import { startTestServer, type TestServer } from '../server/test-server.js';
import { explain, failedIds, skips } from './kit-report.js';

// The reference server (PGlite here, PostgreSQL in the server-postgres stage) against the whole
// kit, with every input the kit can use, so that no check is skipped.
let server: TestServer;
/** The capabilities as the server sends them (with fields newer than this repository's schema). */
let announced: Record<string, unknown>;

beforeAll(async () => {
  // Limits of the push and page semantics being added to the server (value size, page bytes):
  // small, so the checks of them stay cheap. A server without these options ignores them.
  const upcoming: Record<string, unknown> = { maxValueBytes: 64 * 1024, maxPageBytes: 64 * 1024 };
  server = await startTestServer({
    // Settings that let every check run: refusable schema versions, short heartbeats, a window
    // small enough to fill.
    schemaVersions: { min: 2, minWritable: 3, max: 5 },
    heartbeatMs: 300,
    maxWindowSize: 50,
    ...upcoming,
  });
  announced = await (await fetch(`${server.url}/v1/capabilities`)).json();
});
afterAll(() => server?.close());

describe('the conformance kit against the reference server', () => {
  it('keeps every promise the kit checks, none skipped (before the content checks: all but unstorable content)', async () => {
    const report = await runConformance({
      url: server.url,
      // Several instances need PostgreSQL: test/conformance/scale-out.test.ts.
      skip: ['scale-out'],
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
        revokeToken: async (user) => {
          await server.admin.revokeTokens(user.userId!);
        },
      },
    });
    if (announced.maxValueBytes === undefined) {
      // A server from before the per-mutation content checks (it announces no value limits):
      // a NUL character or a lone surrogate fails the whole push with a 500, which a client
      // retries forever. The kit must say so; nothing else may fail.
      expect(failedIds(report), explain(report)).toEqual(['conflicts.unstorable-content']);
      const failure = report.checks.find((c) => c.id === 'conflicts.unstorable-content')!.failure!;
      expect(failure.seen).toMatch(/^500: the whole push failed/);
      expect(skips(report)).toEqual([
        'paging.byte-budget: the server announces no maxPageBytes',
        'conflicts.value-limits: the server announces neither maxValueBytes nor maxValueDepth',
      ]);
      return;
    }
    expect(failedIds(report), explain(report)).toEqual([]);
    expect(skips(report)).toEqual([]);
    expect(report.passed).toBe(report.checks.length);
  });
});
