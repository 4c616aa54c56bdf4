import type { Observable } from '../rx/observable.js';
import type { ServerEventSource } from '../transport/sync-transport.js';
import { eventChannel } from './channel.js';
import { pullScheduler } from './pull-scheduler.js';
import type { PullSignal } from './pull-signal.js';
import { resolveScheduling, type SchedulingOptions } from './scheduling-options.js';

/** Options of {@link sseListener}. */
export interface SseListenerOptions extends SchedulingOptions {
  /** The HTTP transport (from `createHttpTransport`), whose `events()` reads `GET /v1/events`. */
  readonly transport: ServerEventSource;
}

/**
 * "Pull now" from the server's Server-Sent Events (`GET /v1/events`, read over fetch so the
 * `Authorization` header from `getToken` is sent): `start` on subscribe, `connected` whenever the
 * stream (re)opens, `poke` with the changed collection. A stream that fails, ends, or stays silent
 * for three heartbeat intervals is reopened after a jittered exponential backoff (honouring
 * `Retry-After`). Paused while offline or hidden. Cold: unsubscribing aborts the request.
 */
export function sseListener(options: SseListenerOptions): Observable<PullSignal> {
  const scheduling = resolveScheduling(options);
  const channel = eventChannel('sse', options.transport, scheduling.scheduler);
  return pullScheduler([channel], scheduling, { fallbackAfterFailures: 1, upgradeAfterMs: 0 });
}
