import { NetworkError } from '../errors/network-error.js';
import type { Clock } from '../rx/clock.js';
import { Observable, type Unsubscribable } from '../rx/observable.js';
import type { ServerEventSource } from '../transport/sync-transport.js';
import type { ConnectionKind } from './pull-signal.js';

/** What a channel tells the scheduler. */
export type ChannelEvent =
  | { readonly type: 'open' }
  | { readonly type: 'poke'; readonly collection: string }
  | { readonly type: 'tick' };

/**
 * One way of hearing about changes. `connect()` is cold: it opens on subscribe, closes on
 * unsubscribe, emits `open` once usable, and errors (or completes) when the connection is gone.
 */
export interface Channel {
  readonly kind: Exclude<ConnectionKind, 'offline'>;
  connect(): Observable<ChannelEvent>;
}

/** Raised inside `connect()` when the server does not offer the channel: fall back without retrying. */
export class ChannelUnavailable extends Error {
  override readonly name = 'ChannelUnavailable';
}

/** Polling: usable at once, then a tick every `intervalMs`. */
export function pollingChannel(intervalMs: number, scheduler: Clock): Channel {
  return {
    kind: 'polling',
    connect: () =>
      new Observable<ChannelEvent>((subscriber) => {
        subscriber.next({ type: 'open' });
        let timer: Unsubscribable;
        const wait = () => {
          timer = scheduler.schedule(() => {
            subscriber.next({ type: 'tick' });
            wait();
          }, intervalMs);
        };
        wait();
        return () => timer.unsubscribe();
      }),
  };
}

/** How many heartbeat intervals of silence mean a dead stream. */
const SILENT_HEARTBEATS = 3;

/**
 * A server event stream (SSE or WebSocket) as a channel, with a watchdog: once the server announced
 * its heartbeat interval, a stream silent for three intervals (a half-open TCP connection, a proxy
 * that stopped forwarding) is treated as lost.
 */
export function eventChannel(
  kind: 'sse' | 'websocket',
  source: ServerEventSource,
  scheduler: Clock,
  before?: () => Promise<void>,
): Channel {
  const endpoint = kind === 'sse' ? '/v1/events' : '/v1/ws';
  return {
    kind,
    connect: () =>
      new Observable<ChannelEvent>((subscriber) => {
        let watchdog: Unsubscribable | undefined;
        let silenceMs: number | undefined;
        const arm = () => {
          watchdog?.unsubscribe();
          if (silenceMs === undefined) return;
          watchdog = scheduler.schedule(() => {
            subscriber.error(new NetworkError(endpoint, 'connection-lost'));
          }, silenceMs);
        };
        let inner: Unsubscribable | undefined;
        let closed = false;
        const open = () => {
          if (closed) return;
          inner = source.events().subscribe({
            next: (event) => {
              if (event.type === 'open') {
                silenceMs = event.heartbeatMs * SILENT_HEARTBEATS;
                subscriber.next({ type: 'open' });
              } else if (event.type === 'poke') {
                subscriber.next({ type: 'poke', collection: event.poke.collection });
              }
              arm();
            },
            error: (error: unknown) => subscriber.error(error),
            complete: () => subscriber.complete(),
          });
        };
        const openSafely = () => {
          try {
            open();
          } catch (error) {
            subscriber.error(error);
          }
        };
        if (before === undefined) openSafely();
        else before().then(openSafely, (error: unknown) => subscriber.error(error));
        return () => {
          closed = true;
          watchdog?.unsubscribe();
          inner?.unsubscribe();
        };
      }),
  };
}
