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
// The shim's type wants every option; it fills in defaults for the ones we leave out.
const config = { checkOrigin: false, databaseBasePath: dir, deleteDatabaseFiles: true };
setGlobalVars(undefined, config as unknown as Parameters<typeof setGlobalVars>[1]);
globalThis.__IDB_BACKEND__ = 'indexeddbshim';

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
