import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConformance } from '../../conformance/index.js';
import { EXAMPLES, exampleToken, type RunningExample, startExample } from '../examples/start-example.js';
import { explain, failedIds, skips } from './kit-report.js';

// Each example app of examples/ (the sync server mounted at /sync in node:http, Hono and Express,
// with the apps' own sign-in tokens) against the whole kit, as a team would check its backend:
// users are the app's own (tokens it signs), server-side edits and purges through /sync/admin.
// PGlite here, PostgreSQL in the server-postgres stage.
describe.each(EXAMPLES)('the conformance kit against examples/%s', (name) => {
  let example: RunningExample;
  beforeAll(async () => {
    example = await startExample(name);
  }, 120_000);
  afterAll(async () => {
    const code = await example?.stop();
    expect(code, example?.output()).toBe(0);
  });

  it('passes, skipping only what the app does not configure', async () => {
    const run = randomBytes(4).toString('hex');
    let users = 0;
    const report = await runConformance({
      url: example.syncUrl,
      admin: { token: example.adminToken },
      // One instance: the checks between instances need several (test/conformance/scale-out.test.ts).
      // The apps' tokens are their own (signed, with an expiry): /admin/revoke revokes the reference
      // server's tokens only, so the revocation check does not apply to them.
      skip: ['scale-out', 'auth.revoked-token'],
      hooks: {
        // Fresh users of the app's own sign-in (the admin API's users hold reference-server tokens,
        // which the app's authenticate hook does not accept).
        async createUser() {
          users += 1;
          const userId = `kit-${name}-${run}-${users}`;
          return { userId, token: exampleToken(example, userId) };
        },
      },
    });
    expect(failedIds(report), explain(report)).toEqual([]);
    // What the examples leave at the server's defaults: no schema-version window, 25 s heartbeats,
    // 4 MiB pages.
    expect(
      skips(report)
        .map((s) => s.slice(0, s.indexOf(':')))
        .sort(),
    ).toEqual(
      [
        'paging.byte-budget',
        'schema-versions.read-only',
        'schema-versions.too-new',
        'schema-versions.too-old',
        'sse.heartbeat',
        'websocket.heartbeat',
      ].sort(),
    );
    expect(report.passed, explain(report)).toBeGreaterThanOrEqual(50);
  }, 180_000);
});
