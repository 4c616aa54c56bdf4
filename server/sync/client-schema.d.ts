import type { SchemaAccess } from '../../src/protocol/messages.js';
import type { SchemaVersionPolicy } from '../config.js';
/** What a client of schema version `version` may do under `policy`. */
export declare function schemaAccess(policy: SchemaVersionPolicy, version: number): SchemaAccess;
/**
 * Parses the client's schema version (header or query parameter) and refuses a client that may not
 * do `need`: `MISSING_SCHEMA_VERSION`, `UPGRADE_REQUIRED` (too old; `details.access` says whether it
 * may still pull) or `SCHEMA_VERSION_TOO_NEW`.
 */
export declare function checkClientSchema(policy: SchemaVersionPolicy, raw: string | number | null | undefined, need: 'read' | 'write'): number;
