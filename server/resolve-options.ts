import { PROTOCOL_LIMITS } from '../src/protocol/version.js';
import { defaultCollections, type ServerOptions } from './config.js';
import { consoleLogger } from './http/request-log.js';
import type { ResolvedOptions } from './sync/runtime.js';

const DAY = 24 * 60 * 60 * 1000;

/** Fills in defaults and checks the options; throws on impossible values. */
export function resolveOptions(options: ServerOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    // Only the embedded database migrates itself by default (see ServerOptions.autoMigrate).
    autoMigrate:
      options.autoMigrate ??
      (options.database === undefined
        ? options.databaseUrl === undefined || options.databaseUrl === ''
        : options.database.kind === 'pglite'),
    readyTimeoutMs: options.readyTimeoutMs ?? 2000,
    shutdownDelayMs: options.shutdownDelayMs ?? 0,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? 10_000,
    authRecheckMs: options.authRecheckMs ?? 60_000,
    maxSessionMs: options.maxSessionMs ?? 24 * 60 * 60 * 1000,
    helloTimeoutMs: options.helloTimeoutMs ?? 10_000,
    maxConnectionsPerUser: options.maxConnectionsPerUser ?? 50,
    collections: options.collections ?? defaultCollections,
    maxWindowSize: options.maxWindowSize ?? 1000,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    maxMutationsPerPush: options.maxMutationsPerPush ?? 500,
    maxValueBytes: options.maxValueBytes ?? 1024 * 1024,
    maxValueDepth: options.maxValueDepth ?? 100,
    maxPageBytes: options.maxPageBytes ?? 4 * 1024 * 1024,
    schemaVersions: options.schemaVersions ?? { min: 1, minWritable: 1, max: Number.MAX_SAFE_INTEGER },
    tombstoneRetentionMs: options.tombstoneRetentionMs ?? 30 * DAY,
    compactionIntervalMs: options.compactionIntervalMs ?? 60 * 60 * 1000,
    mutationResultRetention: options.mutationResultRetention ?? 10_000,
    heartbeatMs: options.heartbeatMs ?? 25_000,
    logger: options.logger ?? consoleLogger,
    database: options.database,
    dataDir: options.dataDir,
    databaseUrl: options.databaseUrl,
    pgSchema: options.pgSchema,
    adminToken: options.adminToken,
    authenticate: options.authenticate,
    canWrite: options.canWrite,
    pool: options.pool,
    cors: options.cors,
    rateLimit: options.rateLimit,
  };
  const int = (name: string, value: number, min: number, max: number) => {
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new Error(`Option ${name} must be an integer from ${min} to ${max}`);
    }
  };
  int('port', resolved.port, 0, 65535);
  int('maxWindowSize', resolved.maxWindowSize, 1, PROTOCOL_LIMITS.maxWindowSize);
  int('maxMutationsPerPush', resolved.maxMutationsPerPush, 1, PROTOCOL_LIMITS.maxMutationsPerPush);
  int('maxBodyBytes', resolved.maxBodyBytes, 1024, 256 * 1024 * 1024);
  int('heartbeatMs', resolved.heartbeatMs, 10, 3_600_000);
  int('maxValueBytes', resolved.maxValueBytes, 64, 256 * 1024 * 1024);
  int('maxValueDepth', resolved.maxValueDepth, 1, 1000);
  int('maxPageBytes', resolved.maxPageBytes, 1024, 1024 * 1024 * 1024);
  int('readyTimeoutMs', resolved.readyTimeoutMs, 1, 600_000);
  int('shutdownDelayMs', resolved.shutdownDelayMs, 0, 600_000);
  int('shutdownTimeoutMs', resolved.shutdownTimeoutMs, 0, 3_600_000);
  // Timers hold at most 2^31 - 1 ms.
  int('authRecheckMs', resolved.authRecheckMs, 10, 2 ** 31 - 1);
  int('maxSessionMs', resolved.maxSessionMs, 10, 2 ** 31 - 1);
  int('helloTimeoutMs', resolved.helloTimeoutMs, 10, 600_000);
  int('maxConnectionsPerUser', resolved.maxConnectionsPerUser, 1, 1_000_000);
  int('compactionIntervalMs', resolved.compactionIntervalMs, 0, 2 ** 31 - 1);
  const rate = resolved.rateLimit;
  if (rate !== undefined && !(rate.requestsPerSecond > 0 && (rate.burst === undefined || rate.burst >= 1))) {
    throw new Error('Option rateLimit needs requestsPerSecond > 0 and burst ≥ 1');
  }
  const origins = resolved.cors?.origins;
  if (origins !== undefined && origins !== '*' && !(Array.isArray(origins) && origins.length > 0)) {
    throw new Error("Option cors.origins must be '*' or a list of origins");
  }
  const { min, minWritable, max } = resolved.schemaVersions;
  if (![min, minWritable, max].every(Number.isSafeInteger) || !(min <= minWritable && minWritable <= max)) {
    throw new Error('Option schemaVersions needs integers with min ≤ minWritable ≤ max');
  }
  const names = new Set<string>();
  for (const c of resolved.collections) {
    if (!PROTOCOL_LIMITS.collectionNamePattern.test(c.name) || names.has(c.name)) {
      throw new Error(`Invalid or duplicate collection name "${c.name}"`);
    }
    names.add(c.name);
    if (c.scope !== 'user' && c.scope !== 'shared') {
      throw new Error(`Collection ${c.name}: scope must be 'user' or 'shared'`);
    }
    if (c.maxWindowSize !== undefined)
      int(`${c.name}.maxWindowSize`, c.maxWindowSize, 1, PROTOCOL_LIMITS.maxWindowSize);
    if (c.key !== undefined && (typeof c.key !== 'string' || c.key === '')) {
      throw new Error(`Collection ${c.name}: key must be a field name`);
    }
  }
  if (resolved.adminToken !== undefined && resolved.adminToken.length < 16) {
    throw new Error('Option adminToken must be at least 16 characters');
  }
  return resolved;
}
