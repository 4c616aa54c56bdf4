import { isNetworkError } from '../errors/network-error.js';
import { isRequestRejectedError } from '../errors/request-rejected-error.js';
import { isUpgradeBlockedError } from '../errors/upgrade-blocked-error.js';
import { isUpgradeRequiredError } from '../errors/upgrade-required-error.js';
import type { RunClock, RunSummary } from './run-summary.js';
import { describeFailure } from './run-sync.js';
import type { SyncRequestOptions } from './sync-client-api.js';

/** Failures only a new app version or another tab can lift: retrying would not help. */
export function blocksSync(error: unknown): boolean {
  if (isUpgradeRequiredError(error) || isUpgradeBlockedError(error)) return true;
  return isRequestRejectedError(error) && error.serverCode === 'SCHEMA_VERSION_TOO_NEW';
}

/** The summary of a run that failed before it could start (the database did not open). */
export function failedSummary(runId: number, clock: RunClock, error: unknown): RunSummary {
  return {
    runId,
    startedAt: Date.now(),
    outcome: isNetworkError(error) ? 'waiting' : 'error',
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
