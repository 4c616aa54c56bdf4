import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile, parseCollectionFlag } from './config-file.js';

const dir = mkdtempSync(join(tmpdir(), 'idb-sync-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function file(name: string, text: string): string {
  files += 1;
  const path = join(dir, `${files}-${name}`);
  writeFileSync(path, text);
  return path;
}
const json = (value: unknown) => file('idb-sync.config.json', JSON.stringify(value));

describe('the command line config file', () => {
  it('reads collections and options from JSON', async () => {
    const config = await loadConfigFile(
      json({
        collections: [
          { name: 'cities', scope: 'shared', readOnly: true, key: 'cityId', maxWindowSize: 5000 },
        ],
        maxWindowSize: 2000,
        databaseUrl: 'postgres://sync@db/app',
        schemaVersions: { min: 1, minWritable: 2, max: 3 },
      }),
    );
    expect(config).toEqual({
      collections: [{ name: 'cities', scope: 'shared', readOnly: true, key: 'cityId', maxWindowSize: 5000 }],
      maxWindowSize: 2000,
      databaseUrl: 'postgres://sync@db/app',
      schemaVersions: { min: 1, minWritable: 2, max: 3 },
    });
  });

  it('refuses an unknown or mistyped field with its path, so a typo never falls back to a default', async () => {
    const path = json({
      collections: [{ name: 'cities', scop: 'shared' }],
      maxWindowSize: '2000',
      schemaVersions: { min: 1, minWritable: 1, max: 2, maximum: 3 },
    });
    const error = await loadConfigFile(path).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain(`config ${path}: `);
    expect(message).toContain('collections.0.scope: ');
    expect(message).toContain('collections.0.scop: Unknown field');
    expect(message).toContain('maxWindowSize: ');
    expect(message).toContain('schemaVersions.maximum: Unknown field');
  });

  it('refuses an empty collection list and a value that is not an object', async () => {
    await expect(loadConfigFile(json({ collections: [] }))).rejects.toThrow(/collections: .*at least one/);
    await expect(loadConfigFile(json([1]))).rejects.toThrow(/\(root\): Invalid input: expected object/);
    await expect(loadConfigFile(file('broken.json', '{ "port": '))).rejects.toThrow(
      /^config .*broken\.json: /,
    );
  });

  it('takes the hooks from a JavaScript config file, and refuses a hook that is not a function', async () => {
    const config = await loadConfigFile(
      file(
        'idb-sync.config.mjs',
        `export default { collections: [{ name: 'notes', scope: 'user' }],
           authenticate: async (token) => (token === 't' ? { userId: 'u' } : null) };`,
      ),
    );
    expect(await config.authenticate?.('t')).toEqual({ userId: 'u' });
    await expect(
      loadConfigFile(file('bad.config.mjs', `export default { canWrite: 'yes' };`)),
    ).rejects.toThrow(/canWrite: Invalid input: expected function/);
  });
});

describe('--collection flags', () => {
  it('read name:scope[:read-only]', () => {
    expect(parseCollectionFlag('cities:shared:read-only')).toEqual({
      name: 'cities',
      scope: 'shared',
      readOnly: true,
    });
    expect(parseCollectionFlag('notes:user')).toEqual({ name: 'notes', scope: 'user', readOnly: false });
    expect(() => parseCollectionFlag('notes:everyone')).toThrow(/expected name:user or name:shared/);
  });
});
