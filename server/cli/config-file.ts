import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  array,
  boolean,
  enumOf,
  int,
  type ObjectOf,
  object,
  optional,
  Schema,
  type SchemaIssue,
  string,
} from '../../src/protocol/schema.js';
import type { CollectionConfig, ServerOptions } from '../config.js';

type Shape = Record<string, Schema<unknown>>;

/** An object with exactly these fields: an unknown one (a typo) is refused with its path. */
function strictObject<S extends Shape>(shape: S): Schema<ObjectOf<S>> {
  const inner = object(shape);
  return new Schema((value, path, issues) => {
    const out = inner.check(value, path, issues);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const key of Object.keys(value)) {
        if (!Object.hasOwn(shape, key))
          issues.push({ path: [...path, key], code: 'unrecognized_keys', message: 'Unknown field' });
      }
    }
    return out;
  });
}

/** A function (the hooks of a JavaScript config file). */
const hook = optional(
  new Schema<(...args: never[]) => unknown>((value, path, issues: SchemaIssue[]) => {
    if (typeof value !== 'function')
      issues.push({ path: [...path], code: 'invalid_type', message: 'Invalid input: expected function' });
    return value as (...args: never[]) => unknown;
  }),
);

const collectionSchema = strictObject({
  name: string(),
  scope: enumOf(['user', 'shared']),
  readOnly: optional(boolean()),
  key: optional(string({ min: 1 })),
  maxWindowSize: optional(int({ min: 1 })),
});

/** What a config file may set: the JSON-able options, and the hooks (from a JavaScript config file). */
const configSchema = strictObject({
  collections: optional(array(collectionSchema)),
  port: optional(int({ min: 0, max: 65_535 })),
  host: optional(string()),
  dataDir: optional(string()),
  databaseUrl: optional(string()),
  pgSchema: optional(string()),
  autoMigrate: optional(boolean()),
  adminToken: optional(string()),
  maxWindowSize: optional(int({ min: 1 })),
  maxBodyBytes: optional(int({ min: 1 })),
  maxMutationsPerPush: optional(int({ min: 1 })),
  maxValueBytes: optional(int({ min: 1 })),
  maxValueDepth: optional(int({ min: 1 })),
  maxPageBytes: optional(int({ min: 1 })),
  schemaVersions: optional(strictObject({ min: int(), minWritable: int(), max: int() })),
  tombstoneRetentionMs: optional(int({ min: 0 })),
  compactionIntervalMs: optional(int({ min: 0 })),
  mutationResultRetention: optional(int({ min: 1 })),
  heartbeatMs: optional(int({ min: 0 })),
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
  if (parsed.success && parsed.data.collections?.length === 0) {
    throw new Error(`config ${path}: collections: Too small: expected at least one collection`);
  }
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
