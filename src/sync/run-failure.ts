import { isIdbSyncError } from '../errors/idb-sync-error.js';
import type { RunClock, RunSummary } from './run-summary.js';
import type { SyncRequestOptions } from './sync-client-api.js';

/** Failures only a new app version or another tab can lift: retrying would not help. */
export function blocksSync(error: unknown): boolean {
  if (isIdbSyncError(error, 'UPGRADE_REQUIRED') || isIdbSyncError(error, 'UPGRADE_BLOCKED')) return true;
  return isIdbSyncError(error, 'REQUEST_REJECTED') && error.serverCode === 'SCHEMA_VERSION_TOO_NEW';
}

/** The summary of a run that failed before it could start (the database did not open). */
export function failedSummary(runId: number, clock: RunClock, error: unknown): RunSummary {
  return {
    runId,
    startedAt: Date.now(),
    outcome: isIdbSyncError(error, 'NETWORK_ERROR') ? 'waiting' : 'error',
    plans: [],
    collections: [],
    push: { sent: 0, applied: 0, conflicts: 0, rejected: 0 },
    timings: clock.timings,
    error: describeFailure(error),
  };
}

/** A trigger's emission names collections when it is a listener's pull signal (`{ collections }`). */
export function signalRequest(signal: unknown): SyncRequestOptions {
  const collections = (signal as { collections?: unknown } | null | undefined)?.collections;
  return Array.isArray(collections) && collections.every((c) => typeof c === 'string') ? { collections } : {};
}

/** A failure as the run summary shows it: its code and message (no record contents). */
export function describeFailure(error: unknown): { code: string; message: string } {
  if (isIdbSyncError(error)) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: error.name, message: error.message };
  return { code: 'UNKNOWN', message: 'Unknown failure' };
}
