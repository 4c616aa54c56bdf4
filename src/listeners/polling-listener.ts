import type { Observable } from '../rx/observable.js';
import { pollingChannel } from './channel.js';
import { pullScheduler } from './pull-scheduler.js';
import type { PullSignal } from './pull-signal.js';
import { resolveScheduling, type SchedulingOptions } from './scheduling-options.js';

/** Options of {@link pollingListener}. */
export interface PollingListenerOptions extends SchedulingOptions {
  /** Time between `interval` signals while pulls succeed, in milliseconds. Default `30_000`. */
  readonly intervalMs?: number;
}

/**
 * "Pull now" every `intervalMs`: a `start` signal at once on subscribe, then `interval` ticks. While
 * offline or hidden it is silent and resumes with an immediate `online`/`visible` signal. When the
 * runner reports failed pulls (`pullOutcomes`), ticks pause and `retry` signals follow a jittered
 * exponential backoff (and any `Retry-After`) until a pull succeeds. Cold: nothing runs until
 * subscribed; unsubscribing clears every timer and event listener.
 *
 * @example
 * // A client that polls every minute instead of listening for pokes:
 * const client = createSyncClient({
 *   database: appDb,
 *   transport: createHttpTransport({ baseUrl, schemaVersion: appDb.version, getToken }),
 *   triggers: (pullOutcomes) => pollingListener({ intervalMs: 60_000, pullOutcomes }),
 * });
 * await client.start();
 */
export function pollingListener(options: PollingListenerOptions = {}): Observable<PullSignal> {
  const scheduling = resolveScheduling(options);
  const channel = pollingChannel(options.intervalMs ?? 30_000, scheduling.scheduler);
  return pullScheduler([channel], scheduling, { fallbackAfterFailures: 1, upgradeAfterMs: 0 });
}
