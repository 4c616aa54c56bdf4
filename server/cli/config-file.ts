import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { CollectionConfig, ServerOptions } from '../config.js';

const collectionSchema = z.strictObject({
  name: z.string(),
  scope: z.enum(['user', 'shared']),
  readOnly: z.boolean().optional(),
  key: z.string().min(1).optional(),
  maxWindowSize: z.number().int().positive().optional(),
});

const hook = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function').optional();

/** What a config file may set: the JSON-able options, and the hooks (from a JavaScript config file). */
const configSchema = z.strictObject({
  collections: z.array(collectionSchema).min(1).optional(),
  port: z.number().int().optional(),
  host: z.string().optional(),
  dataDir: z.string().optional(),
  databaseUrl: z.string().optional(),
  pgSchema: z.string().optional(),
  autoMigrate: z.boolean().optional(),
  adminToken: z.string().optional(),
  maxWindowSize: z.number().int().optional(),
  maxBodyBytes: z.number().int().optional(),
  maxMutationsPerPush: z.number().int().optional(),
  schemaVersions: z
    .strictObject({ min: z.number().int(), minWritable: z.number().int(), max: z.number().int() })
    .optional(),
  tombstoneRetentionMs: z.number().int().nonnegative().optional(),
  compactionIntervalMs: z.number().int().nonnegative().optional(),
  mutationResultRetention: z.number().int().positive().optional(),
  heartbeatMs: z.number().int().optional(),
  authenticate: hook,
  canWrite: hook,
  logger: hook,
});

/**
 * Reads the command line's config file: JSON (`idb-sync.config.json`), or a JavaScript module
 * (`.js`/`.mjs`) whose default export is the options object, which may also carry the
 * `authenticate`, `canWrite` and `logger` hooks. Unknown or mistyped fields are refused with their
 * path, so a typo does not silently fall back to a default.
 *
 * @example
 * // idb-sync.config.json
 * // { "collections": [{ "name": "cities", "scope": "shared", "readOnly": true, "key": "cityId" }],
 * //   "maxWindowSize": 2000 }
 */
export async function loadConfigFile(path: string): Promise<ServerOptions> {
  const absolute = resolve(path);
  let raw: unknown;
  if (/\.(c|m)?js$/.test(absolute)) {
    raw = ((await import(pathToFileURL(absolute).href)) as { default?: unknown }).default;
  } else {
    try {
      raw = JSON.parse(await readFile(absolute, 'utf8'));
    } catch (error) {
      throw new Error(`config ${path}: ${(error as Error).message}`);
    }
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`config ${path}: ${issues.join('; ')}`);
  }
  return parsed.data as unknown as ServerOptions;
}

/**
 * A collection from a `--collection` flag: `name:scope[:read-only]`, e.g. `cities:shared:read-only`
 * or `notes:user`.
 */
export function parseCollectionFlag(flag: string): CollectionConfig {
  const [name, scope, mode, extra] = flag.split(':');
  if (
    !name ||
    (scope !== 'user' && scope !== 'shared') ||
    (mode !== undefined && mode !== 'read-only') ||
    extra
  ) {
    throw new Error(`--collection ${flag}: expected name:user or name:shared, optionally :read-only`);
  }
  return { name, scope, readOnly: mode === 'read-only' };
}
