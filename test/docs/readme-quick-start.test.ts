// The README's quick start, read from the README itself so it can never drift: it type-checks as
// written (strict settings, browser globals only), and it syncs a typed collection live against the
// reference server. The block is run with one change, its `'idb-sync'` import pointed at the sources,
// and one line added, an export of its `client` and `db` so the test can close them; the browser
// globals it uses (`location`, `localStorage`, and `WebSocket`, which Node 20 lacks) are provided.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { filter, firstValueFrom, from, ReplaySubject } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import type { DatabaseHandle, LiveSyncClient } from '../../src/index.js';
import { startTestServer, type TestServer } from '../server/test-server.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const MARKER = '<!-- quick-start:';

/** The first ```ts block after the quick-start marker, exactly as the README has it. */
function quickStart(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const marker = readme.indexOf(MARKER);
  if (marker < 0) throw new Error(`README.md has no ${MARKER} … --> marker before its quick start`);
  const block = /```ts\n([\s\S]*?)\n```/.exec(readme.slice(marker));
  if (block?.[1] === undefined) throw new Error('no ```ts block after the quick-start marker');
  return block[1];
}

const generatedDir = join(root, 'test/docs/.generated');
const backend = globalThis.__IDB_BACKEND__;

describe('README quick start', () => {
  const code = quickStart();

  it('is short and imports only from idb-sync', () => {
    expect(code.split('\n').length).toBeLessThanOrEqual(25);
    const imports = [...code.matchAll(/from\s+'([^']+)'/g)].map((m) => m[1]);
    expect(imports).toEqual(['idb-sync']);
  });

  // Type-checking does not depend on the IndexedDB backend: once is enough.
  it.skipIf(backend !== 'fake-indexeddb')(
    'type-checks as written with the strict settings and browser globals only',
    async () => {
      const { default: ts } = await import('typescript');
      mkdirSync(generatedDir, { recursive: true });
      const file = join(generatedDir, 'quick-start-check.ts');
      writeFileSync(file, code);
      try {
        const config = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
        const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
        // An app's settings: no Node types (a browser app has none), `idb-sync` mapped to the sources.
        const options = { ...parsed.options, types: [], noEmit: true };
        const program = ts.createProgram([file], options);
        const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
          const where = d.file
            ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}`
            : '';
          return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
        });
        expect(diagnostics).toEqual([]);
      } finally {
        rmSync(file, { force: true });
      }
    },
    60_000,
  );

  describe('against the reference server', () => {
    let server: TestServer;
    let module: { client: LiveSyncClient<unknown>; db: DatabaseHandle<unknown> } | undefined;
    const logs = new ReplaySubject<string>();
    const file = join(generatedDir, `quick-start-${backend}.ts`);
    const hadWebSocket = 'WebSocket' in globalThis;

    beforeAll(async () => {
      // A page has a location; PGlite, seeing indexeddbshim's `window`, reads its pathname too.
      vi.stubGlobal('location', new URL('http://127.0.0.1/'));
      server = await startTestServer();
      const { token } = await server.admin.createUser('alice');
      const storage = new Map<string, string>([['token', token]]);
      vi.stubGlobal('location', new URL(`${server.url}/`)); // the page's origin is the sync server's
      // indexeddbshim queues opens per origin (`location.origin`): give the new origin its queue.
      const shim = indexedDB as IDBFactory & { __setConnectionQueueOrigin?: () => void };
      shim.__setConnectionQueueOrigin?.();
      vi.stubGlobal('localStorage', {
        getItem: (key: string) => storage.get(key) ?? null,
        setItem: (key: string, value: string) => void storage.set(key, String(value)),
        removeItem: (key: string) => void storage.delete(key),
      });
      if (!hadWebSocket) vi.stubGlobal('WebSocket', WebSocket);
      vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => logs.next(args.join(' ')));
      mkdirSync(generatedDir, { recursive: true });
      writeFileSync(
        file,
        `${code.replace(`from 'idb-sync'`, `from '../../../src/index.js'`)}\nexport { client, db };\n`,
      );
    });

    afterAll(async () => {
      await module?.client.close();
      await module?.db.deleteDatabase();
      await server?.close();
      rmSync(file, { force: true });
      vi.restoreAllMocks();
      vi.unstubAllGlobals();
    });

    it('syncs the typed collection live: the write reaches the server, a server change reaches the live query', async () => {
      const seen = (line: string) => firstValueFrom(logs.pipe(filter((l) => l === line)));
      module = await import(/* @vite-ignore */ file);
      const { client, db } = module!;

      await seen('1 open'); // the local write, seen by the live query at once
      await firstValueFrom(from(client.connection$).pipe(filter((kind) => kind === 'websocket')));
      await client.whenIdle();
      const [order] = (await db.read(['work_orders'], (tx) => tx.objectStore('work_orders').getAll())) as {
        id: string;
      }[];
      const stored = await server.admin.getRecord('work_orders', order!.id, 'alice');
      expect(stored?.value).toMatchObject({ title: 'Replace pump', done: false });

      // Another device's change: a poke over the WebSocket, a pull, and the live query runs again.
      await server.admin.putRecord(
        'work_orders',
        'wo-from-server',
        { title: 'Check valve', done: false },
        'alice',
      );
      await seen('2 open');
    });
  });
});
