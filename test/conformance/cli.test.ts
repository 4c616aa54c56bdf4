import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../server/test-server.js';
import { type MemoryServer, startMemoryServer } from './memory-server/memory-server.js';

const ADMIN = 'cli-admin-token-0123456789';
let reference: TestServer;
let broken: MemoryServer;

beforeAll(async () => {
  [reference, broken] = await Promise.all([
    startTestServer({ adminToken: ADMIN }),
    startMemoryServer({ faults: ['apply-retries-twice'] }),
  ]);
});
afterAll(async () => {
  await reference?.close();
  await broken?.close();
});

/** Runs `idb-sync-conformance` (the TypeScript entry, through tsx) and collects its output. */
function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'conformance/cli.ts', ...args], {
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('idb-sync-conformance (command line)', () => {
  it('passes against the reference server with only an admin token, naming each check, and exits 0', async () => {
    const run = await cli([
      '--url',
      reference.url,
      '--admin-token',
      ADMIN,
      '--only',
      'capabilities,paging,exactly-once,auth',
      '--skip',
      'paging.byte-budget',
    ]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('PASS paging.snapshot-order');
    expect(run.stdout).toContain('PASS exactly-once.lost-answer');
    expect(run.stdout).toContain('PASS auth.revoked-token'); // POST /admin/revoke { token }
    expect(run.stdout).toMatch(/\d+ passed, 0 failed, 0 skipped/);
    expect(run.stderr).toContain('PASS capabilities.document'); // progress, one line per check
    expect(run.stdout + run.stderr).not.toContain(ADMIN);
  });

  it('says which checks it skipped and why (here: heartbeats every 25 s, versions unbounded)', async () => {
    const run = await cli([
      '--url',
      reference.url,
      '--admin-token',
      ADMIN,
      '--only',
      'sse.heartbeat,schema-versions.too-old',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(
      report.checks.map((c: { id: string; status: string; reason: string }) => [c.id, c.status, c.reason]),
    ).toEqual([
      ['schema-versions.too-old', 'skip', 'min is 1: no valid schema version is too old'],
      ['sse.heartbeat', 'skip', 'heartbeatMs is 25000: waiting twice that is above maxWaitMs (5000)'],
    ]);
  });

  it('fails against a server that applies retries twice, with what was expected and seen, tokens redacted, and exits 1', async () => {
    // Tokens may start with "-" (base64url): the command line must still take them as values.
    const alice = broken.createUser('alice', '-starts-with-a-dash-0123456789').token;
    const bob = broken.createUser('bob').token;
    const run = await cli(['--url', broken.url, '--token', alice, '--only', 'exactly-once'], {
      IDB_SYNC_CONFORMANCE_TOKENS: bob,
    });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toContain('FAIL exactly-once.retry');
    expect(run.stdout).toMatch(/expected: the stored result: mutation \d+ applied with rev "\d+"/);
    expect(run.stdout).toMatch(/seen: +mutation \d+ in conflict with put rev "\d+"/);
    expect(run.stdout).toContain('Bearer <token of user 1>');
    expect(run.stdout + run.stderr).not.toContain(alice);
    expect(run.stdout + run.stderr).not.toContain(bob);
  });

  it('lists its checks, and refuses bad arguments with exit code 2', async () => {
    const listed = await cli(['--list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('concurrency.no-skipped-change');
    expect((await cli([])).code).toBe(2);
    expect((await cli(['--url', reference.url, '--scale', 'zero'])).code).toBe(2);
  });
});
