import type { SchemaAccess } from '../../src/protocol/messages.js';
import type { SchemaVersionPolicy } from '../config.js';
import { ProtocolError } from './protocol-error.js';

/** What a client of schema version `version` may do under `policy`. */
export function schemaAccess(policy: SchemaVersionPolicy, version: number): SchemaAccess {
  if (version < policy.min || version > policy.max) return 'none';
  return version >= policy.minWritable ? 'read-write' : 'read-only';
}

/**
 * Parses the client's schema version (header or query parameter) and refuses a client that may not
 * do `need`: `MISSING_SCHEMA_VERSION`, `UPGRADE_REQUIRED` (too old; `details.access` says whether it
 * may still pull) or `SCHEMA_VERSION_TOO_NEW`.
 */
export function checkClientSchema(
  policy: SchemaVersionPolicy,
  raw: string | number | null | undefined,
  need: 'read' | 'write',
): number {
  const version = typeof raw === 'number' ? raw : raw == null || raw === '' ? Number.NaN : Number(raw);
  if (!Number.isSafeInteger(version)) {
    throw new ProtocolError('MISSING_SCHEMA_VERSION', 'Send the client schema version (X-Schema-Version)');
  }
  const details = {
    clientSchemaVersion: version,
    minSchemaVersion: policy.min,
    minWritableSchemaVersion: policy.minWritable,
    maxSchemaVersion: policy.max,
  };
  if (version > policy.max) {
    throw new ProtocolError(
      'SCHEMA_VERSION_TOO_NEW',
      `Client schema version ${version} is newer than this server accepts (max ${policy.max}); retry later`,
      { ...details, access: 'none' },
    );
  }
  const access = schemaAccess(policy, version);
  if (access === 'none' || (need === 'write' && access === 'read-only')) {
    throw new ProtocolError(
      'UPGRADE_REQUIRED',
      access === 'none'
        ? `Client schema version ${version} is no longer accepted (min ${policy.min}); update the app`
        : `Client schema version ${version} may only pull (pushes need ${policy.minWritable}); update the app`,
      { ...details, access },
    );
  }
  return version;
}
