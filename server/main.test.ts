import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

  it('serves the collections of a config file, after importing a file into one of them', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'idb-sync-main-'));
    const config = join(dataDir, 'idb-sync.config.json');
    writeFileSync(
      config,
      JSON.stringify({
        collections: [
          { name: 'cities', scope: 'shared', readOnly: true, key: 'geonameId' },
          { name: 'visits', scope: 'user' },
        ],
        maxWindowSize: 50,
      }),
    );
    const csv = join(dataDir, 'cities.csv');
    writeFileSync(
      csv,
      `geonameId,name,population\n${Array.from({ length: 120 }, (_, i) => `${2_600_000 + i},"Town ${i}, CH",${i * 100}`).join('\n')}\n`,
    );
    const imported = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'server/main.ts',
        'import',
        '--config',
        config,
        '--data-dir',
        dataDir,
        '--collection',
        'cities',
        csv,
      ],
      { env: { ...process.env, DATABASE_URL: '' } },
    );
    let importOutput = '';
    imported.stdout.on('data', (c: Buffer) => {
      importOutput += c.toString();
    });
    imported.stderr.on('data', (c: Buffer) => {
      importOutput += c.toString();
    });
    expect(await new Promise((resolve) => imported.once('exit', resolve))).toBe(0);
    expect(importOutput).toMatch(/imported 120 records into cities in [\d.]+ s \([\d,]+ records\/s\)/);

    const adminToken = 'admin-token-for-tests-0123456789';
    const { url } = await startCli([
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--config',
      config,
      '--admin-token',
      adminToken,
    ]);
    const created = await fetch(`${url}/admin/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ userId: 'alice' }),
    });
    const client = new RawProtocolClient(url, ((await created.json()) as { token: string }).token);
    const { pages } = await client.pullAll('cities', { windowSize: 1000 });
    expect(pages.map((p) => p.changes.length)).toEqual([50, 50, 20]);
    expect(pages[0]!.changes[0]).toMatchObject({
      id: '2600000',
      value: { geonameId: 2600000, name: 'Town 0, CH', population: 0 },
    });
    expect((await client.capabilities()).body).toMatchObject({
      maxWindowSize: 50,
      collections: [
        { name: 'cities', scope: 'shared', readOnly: true },
        { name: 'visits', scope: 'user', readOnly: false },
      ],
    });
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
