import type { EventEmitter } from 'node:events';
import type { Validator } from '../../../src/protocol/schema.js';
import { type Committed, type MemoryStore, Refusal } from './memory-store.js';

export type SchemaNeed = 'read' | 'write';

/** Context the HTTP and WebSocket handlers share. */
export interface ServerContext {
  store: MemoryStore;
  tokens: Map<string, string>;
  bus: EventEmitter;
  /** This instance's id, the `origin` of the changes written through it. */
  origin: string;
  /** Whether this instance pokes for a committed change (the `local-pokes` fault: only its own). */
  hears(e: Committed): boolean;
  schemaVersions: { min: number; minWritable: number; max: number };
  heartbeatMs: number;
  maxBodyBytes: number;
  maxMutationsPerPush: number;
}

/** Refuses a client schema version that may not do `need` (same rules as docs/protocol.md). */
export function checkSchema(ctx: ServerContext, raw: unknown, need: SchemaNeed): void {
  const v = typeof raw === 'number' ? raw : typeof raw === 'string' && raw !== '' ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(v)) throw new Refusal('MISSING_SCHEMA_VERSION', 'Send X-Schema-Version');
  const { min, minWritable, max } = ctx.schemaVersions;
  const details = {
    clientSchemaVersion: v,
    minSchemaVersion: min,
    minWritableSchemaVersion: minWritable,
    maxSchemaVersion: max,
  };
  if (v > max)
    throw Object.assign(new Refusal('SCHEMA_VERSION_TOO_NEW', 'Schema version too new'), {
      details: { ...details, access: 'none' },
    });
  const access = v < min ? 'none' : v < minWritable ? 'read-only' : 'read-write';
  if (access === 'none' || (need === 'write' && access === 'read-only')) {
    throw Object.assign(new Refusal('UPGRADE_REQUIRED', 'Update the app'), {
      details: { ...details, access },
    });
  }
}

export function authenticate(ctx: ServerContext, token: string | null | undefined): string {
  const userId = token ? ctx.tokens.get(token) : undefined;
  if (userId === undefined) throw new Refusal('UNAUTHORIZED', 'Unknown or missing token');
  return userId;
}

/** Parses JSON text against a protocol schema, with the protocol's error codes. */
export function parse<T>(schema: Validator<T>, text: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Refusal('MALFORMED_JSON', 'Not JSON');
  }
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const code = issues.some((i) => i.path === 'windowSize') ? 'INVALID_WINDOW_SIZE' : 'INVALID_REQUEST';
  throw Object.assign(new Refusal(code, 'Invalid request'), { details: { issues } });
}
