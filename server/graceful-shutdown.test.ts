import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PROTOCOL_HEADERS, PROTOCOL_PATHS } from '../src/protocol/version.js';

// SIGTERM used to cut in-flight pushes. Now the server turns readiness off, stops accepting after
// --shutdown-delay-ms, lets in-flight requests finish, then closes streams and sockets and exits 0.

const adminToken = 'admin-token-for-tests-0123456789';
let child: ChildProcess | undefined;
let dataDir: string | undefined;
afterEach(() => {
  if (child?.exitCode === null) child.kill('SIGKILL');
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

/** The server's output so far, and a wait for a line matching `pattern`. */
function startCli(args: string[]) {
  let output = '';
  const waiters: { pattern: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', ...args], {
    env: { ...process.env, DATABASE_URL: '' },
  });
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const w of [...waiters]) {
      const m = w.pattern.exec(output);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const m = pattern.exec(output);
      if (m) return resolve(m);
      waiters.push({ pattern, resolve });
      exited.then((code) => reject(new Error(`server exited with ${code} before ${pattern}: ${output}`)));
    });
  return { waitFor, exited, output: () => output };
}

describe('graceful shutdown of a server process on SIGTERM', () => {
  it('turns readiness off, finishes an in-flight push, then closes streams and sockets and exits 0', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'idb-sync-shutdown-'));
    const cli = startCli([
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--admin-token',
      adminToken,
      '--shutdown-delay-ms',
      '5000',
      '--shutdown-timeout-ms',
      '60000',
    ]);
    const url = (await cli.waitFor(/reference server on (http:\/\/\S+)/))[1]!;
    const created = await fetch(`${url}/admin/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'alice' }),
    });
    const { token } = (await created.json()) as { token: string };
    const headers = {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      [PROTOCOL_HEADERS.schemaVersion]: '1',
    };

    // An SSE stream and a WebSocket session, open across the shutdown.
    const events = await fetch(url + PROTOCOL_PATHS.events, { headers });
    const reader = events.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain('event: hello');
    const ws = new WebSocket(`${url.replace('http', 'ws')}${PROTOCOL_PATHS.ws}`);
    const wsClosed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      ws.once('open', () => ws.send(JSON.stringify({ type: 'hello', token, schemaVersion: 1 })));
      ws.once('message', () => resolve());
    });

    // A push in flight: headers and half of its body sent.
    let inFlight!: ReturnType<typeof request>;
    const body = JSON.stringify({
      clientId: 'alice-phone',
      mutations: [
        { mutationId: 1, collection: 'customers', id: 'c1', op: 'put', baseRev: null, value: { n: 1 } },
      ],
    });
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(url + PROTOCOL_PATHS.push, {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      });
      req.on('error', reject);
      req.write(body.slice(0, 20));
      inFlight = req;
    });
    // Answers on other connections, sent after the push's first bytes: by then the server has the push.
    for (let i = 0; i < 2; i++) expect((await fetch(`${url}/health`)).status).toBe(200);

    child!.kill('SIGTERM');
    await cli.waitFor(/shutting down: readiness off, 1 request\(s\) in flight/);
    const ready = await fetch(`${url}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ ready: false, reason: 'shutting down' });

    inFlight.end(body.slice(20));
    const pushed = await answer;
    expect(pushed.status).toBe(200);
    expect(JSON.parse(pushed.text).results).toEqual([{ mutationId: 1, status: 'applied', rev: '1' }]);

    expect(await wsClosed).toBe(1001);
    // The stream ends cleanly (not cut): read to its end.
    while (!(await reader.read()).done) {}
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toContain('shutting down: every in-flight request finished');
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });
});
