import { BehaviorSubject, combineLatest, map, type Observable, throwError } from 'rxjs';
import {
  browserEnvironment,
  NetworkError,
  type ServerEvent,
  type ServerEventSource,
  type SyncEnvironment,
  type SyncTransport,
} from './sdk.js';

/**
 * The demo's "go offline" switch. The browser's network is left alone: transports wrapped with
 * {@link OfflineSwitch.wrap} fail every call with the SDK's `NetworkError` while the switch is off,
 * as an offline device's requests would, and {@link OfflineSwitch.environment} reports offline so
 * the listeners pause their channel.
 */
export class OfflineSwitch {
  readonly #online = new BehaviorSubject(true);
  readonly #browser = browserEnvironment();

  /** True while the switch is on (the browser's own state is in {@link environment}). */
  get online(): boolean {
    return this.#online.value;
  }

  readonly online$: Observable<boolean> = this.#online.asObservable();

  set(online: boolean): void {
    this.#online.next(online);
  }

  /** The listeners' environment: online when the browser is and the switch is on. */
  readonly environment: SyncEnvironment = {
    online$: combineLatest([this.#browser.online$, this.#online]).pipe(map(([a, b]) => a && b)),
    visible$: this.#browser.visible$,
  };

  /** `transport` failing every request (and event stream) with `NetworkError` while offline. */
  wrap(transport: SyncTransport & ServerEventSource): SyncTransport & ServerEventSource {
    const guard = (endpoint: string) => {
      if (!this.#online.value) throw new NetworkError(endpoint, 'unreachable');
    };
    return {
      capabilities: async (signal) => {
        guard('/v1/capabilities');
        return transport.capabilities(signal);
      },
      pull: async (request, signal) => {
        guard('/v1/pull');
        return transport.pull(request, signal);
      },
      push: async (request, signal) => {
        guard('/v1/push');
        return transport.push(request, signal);
      },
      events: (): Observable<ServerEvent> =>
        this.#online.value
          ? transport.events()
          : throwError(() => new NetworkError('/v1/events', 'unreachable')),
    };
  }
}
