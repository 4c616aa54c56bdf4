import type { Observable } from '../rx/observable.js';
import type { ServerEventSource } from '../transport/sync-transport.js';
import { eventChannel } from './channel.js';
import { pullScheduler } from './pull-scheduler.js';
import type { PullSignal } from './pull-signal.js';
import { resolveScheduling, type SchedulingOptions } from './scheduling-options.js';

/** Options of {@link webSocketListener}. */
export interface WebSocketListenerOptions extends SchedulingOptions {
  /** The WebSocket transport (from `createWebSocketTransport`), whose `events()` is a `/v1/ws` session. */
  readonly transport: ServerEventSource;
}

/**
 * "Pull now" from pokes on the server's WebSocket (`/v1/ws`): `start` on subscribe, `connected`
 * whenever the session (re)opens, `poke` with the changed collection. A session that fails, closes,
 * or stays silent for three heartbeat intervals is reopened after a jittered exponential backoff.
 * Paused while offline or hidden. Cold: unsubscribing closes the session (the transport keeps the
 * socket only while a request or a subscriber needs it).
 */
export function webSocketListener(options: WebSocketListenerOptions): Observable<PullSignal> {
  const scheduling = resolveScheduling(options);
  const channel = eventChannel('websocket', options.transport, scheduling.scheduler);
  return pullScheduler([channel], scheduling, { fallbackAfterFailures: 1, upgradeAfterMs: 0 });
}
