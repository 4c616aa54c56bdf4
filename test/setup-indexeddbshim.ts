// Installs indexeddbshim (SQLite-backed) for the client suite. Each test file gets its own
// directory of SQLite files, so reopening a database by name finds the same data, as in a browser.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import setGlobalVars from 'indexeddbshim';
import { afterAll } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'idb-sync-shim-'));
const g = globalThis as unknown as Record<string, unknown>;
g['window'] ??= globalThis;
setGlobalVars(undefined, { checkOrigin: false, databaseBasePath: dir, deleteDatabaseFiles: true });
globalThis.__IDB_BACKEND__ = 'indexeddbshim';

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
