import { afterEach, describe, expect, it } from 'vitest';
import { type ConformanceReport, runConformance } from '../../conformance/index.js';
import { explain, failedIds, skips } from './kit-report.js';
import type { Fault } from './memory-server/faults.js';
import { type MemoryServer, startMemoryServer } from './memory-server/memory-server.js';

// The kit must catch servers broken on purpose. The broken servers are one small in-memory
// implementation of the protocol with switchable faults (test/conformance/memory-server): without
// faults it passes the whole kit, which shows the kit checks the protocol and not the reference
// server's habits; each fault is a mistake a real implementation makes.
const ADMIN = 'conformance-admin-token';
let server: MemoryServer | undefined;
afterEach(() => server?.close());

async function kitAgainst(faults: Fault[]): Promise<ConformanceReport> {
  server = await startMemoryServer({
    faults,
    adminToken: ADMIN,
    schemaVersions: { min: 2, minWritable: 3, max: 5 },
    heartbeatMs: 300,
    maxWindowSize: 50,
  });
  const running = server;
  return runConformance({
    url: running.url,
    admin: { token: ADMIN },
    hooks: { revokeToken: async (user) => running.revokeTokens(user.userId!) },
    // One instance here; several: scale-out.test.ts.
    skip: ['scale-out'],
  });
}

/** The failure of check `id`, which must have failed. */
function failure(report: ConformanceReport, id: string) {
  const result = report.checks.find((c) => c.id === id);
  expect(result?.status, explain(report)).toBe('fail');
  return result!.failure!;
}

describe('servers broken on purpose', () => {
  it('a correct in-memory implementation passes every check (no false alarms)', async () => {
    const report = await kitAgainst([]);
    expect(failedIds(report), explain(report)).toEqual([]);
    expect(skips(report)).toEqual([]);
  });

  it('a server whose writers can commit out of order fails: a reader skipped a change', async () => {
    const report = await kitAgainst(['skip-under-concurrency']);
    expect(failedIds(report), explain(report)).toEqual(['concurrency.no-skipped-change']);
    const f = failure(report, 'concurrency.no-skipped-change');
    expect(f.message).toContain('never make a reader skip a change');
    expect(f.expected).toMatch(/reader's final state equal to the server's/);
    expect(f.seen).toMatch(
      /skipped change\(s\): cf-\S+ (\(rev \d+\) never received|at rev \d+, the server has rev \d+|still present)/,
    );
    expect(f.exchanges.length).toBeGreaterThan(0);
  });

  it('a server that applies a retried push again fails the exactly-once checks', async () => {
    const report = await kitAgainst(['apply-retries-twice']);
    const failed = failedIds(report);
    expect(
      failed.every((id) => id.startsWith('exactly-once.')),
      explain(report),
    ).toBe(true);
    for (const id of ['exactly-once.retry', 'exactly-once.no-resurrection', 'exactly-once.lost-answer']) {
      expect(failed, explain(report)).toContain(id);
    }
    const retry = failure(report, 'exactly-once.retry');
    expect(retry.message).toContain(
      'a retried push is answered with the stored results and applies nothing again',
    );
    expect(retry.expected).toMatch(/^the stored result: mutation \d+ applied with rev "\d+"$/);
    expect(retry.seen).toMatch(/in conflict with put rev/);
    // The report shows both tries of the push, with tokens redacted.
    expect(retry.exchanges.filter((e) => e.includes('POST') && e.includes('/v1/push'))).toHaveLength(2);
    const text = JSON.stringify(report);
    expect(text).toContain('Bearer <token of user 1>');
    expect(text).not.toMatch(/Bearer (?!<token of user)/);
    expect(text).not.toContain(ADMIN);
  });

  it('a server that trusts any checkpoint fails the checkpoint checks', async () => {
    const report = await kitAgainst(['accept-forged-checkpoint']);
    const failed = failedIds(report);
    for (const id of [
      'checkpoints.tampered',
      'checkpoints.other-user',
      'checkpoints.other-collection',
      'paging.filters',
    ]) {
      expect(failed, explain(report)).toContain(id);
    }
    expect(
      failed.every((id) => id.startsWith('checkpoints.') || id === 'paging.filters'),
      explain(report),
    ).toBe(true);
    const tampered = failure(report, 'checkpoints.tampered');
    expect(tampered.message).toContain('never served');
    expect(tampered.seen).toBe('200: a page was served');
    const otherUser = failure(report, 'checkpoints.other-user');
    expect(otherUser.expected).toBe('400 INVALID_CHECKPOINT');
  });
});
