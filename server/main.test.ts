import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RawProtocolClient } from '../test/server/raw-protocol-client.js';

let child: ChildProcess | undefined;
let dataDir: string | undefined;
afterEach(() => {
  if (child?.exitCode === null) child.kill('SIGKILL');
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

/** Starts `npm run server`'s entry point and resolves with its URL once it listens. */
function startCli(args: string[]): Promise<{ url: string; output: () => string }> {
  let output = '';
  child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', ...args], {
    env: { ...process.env, DATABASE_URL: '' },
  });
  return new Promise((resolve, reject) => {
    child!.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /reference server on (http:\/\/\S+)/.exec(output);
      if (match) resolve({ url: match[1]!, output: () => output });
    });
    child!.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child!.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
}

describe('npm run server', () => {
  it('starts on an empty PGlite directory, serves the admin API and sync, and stops cleanly on SIGTERM', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'idb-sync-main-'));
    const adminToken = 'admin-token-for-tests-0123456789';
    const { url, output } = await startCli([
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--admin-token',
      adminToken,
      '--max-window-size',
      '2',
    ]);
    expect(output()).toContain('schema up-to-date');

    const admin = (path: string, init: RequestInit = {}) =>
      fetch(url + path, {
        ...init,
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      });
    expect((await fetch(`${url}/admin/users`, { method: 'POST', body: '{}' })).status).toBe(403);
    const created = await admin('/admin/users', {
      method: 'POST',
      body: JSON.stringify({ userId: 'alice' }),
    });
    const { token } = (await created.json()) as { token: string };
    for (const id of ['a', 'b', 'c']) {
      const put = await admin(`/admin/records/work_orders/${id}`, {
        method: 'PUT',
        body: JSON.stringify({ owner: 'alice', value: { id } }),
      });
      expect(put.status).toBe(200);
    }
    const deleted = await admin('/admin/records/work_orders/c?owner=alice', { method: 'DELETE' });
    expect(await deleted.json()).toEqual({ rev: '4' });

    const client = new RawProtocolClient(url, token);
    const page = await client.pull({ collection: 'work_orders', checkpoint: null, windowSize: 100 });
    expect(page.body.windowSize).toBe(2);
    const { pages } = await client.pullAll('work_orders');
    expect(pages.flatMap((p) => p.changes.map((c) => c.id))).toEqual(['a', 'b']);
    expect(output()).toMatch(
      /POST \/v1\/pull 200 user=alice collection=work_orders CHANGE=0 DELETE=0 FETCH=2/,
    );
    expect(output()).not.toContain(token);
    expect(output()).not.toContain(adminToken);

    const exited = new Promise<number | null>((resolve) => child!.once('exit', resolve));
    child!.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses to open a PGlite directory another process is using', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'idb-sync-main-'));
    await startCli(['--port', '0', '--data-dir', dataDir]);
    const second = spawn(
      process.execPath,
      ['--import', 'tsx', 'server/main.ts', 'schema', 'status', '--data-dir', dataDir],
      {
        env: { ...process.env, DATABASE_URL: '' },
      },
    );
    let stderr = '';
    second.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => second.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(/in use by process \d+/);
  });
});
