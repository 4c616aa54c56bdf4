import { BehaviorSubject, combineLatest, from, map, type Observable } from 'rxjs';
import { browserEnvironment, type SyncEnvironment } from './sdk.js';

/**
 * The demo's "go offline" switch. The browser's network is left alone: the client's requests go
 * through {@link OfflineSwitch.fetch}, which fails while the switch is off as an offline device's
 * fetch would, and {@link OfflineSwitch.environment} reports offline so the client pauses its
 * channel (the WebSocket or SSE stream closes, nothing is retried until back online).
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
    online$: combineLatest([from(this.#browser.online$), this.#online]).pipe(map(([a, b]) => a && b)),
    visible$: this.#browser.visible$,
  };

  /**
   * The fetch the client's transports use: fails every request while the switch is off, as fetch
   * does on an offline device (a `TypeError`, which the SDK reports as a `NetworkError`).
   */
  readonly fetch: typeof globalThis.fetch = (input, init) =>
    this.#online.value
      ? globalThis.fetch(input, init)
      : Promise.reject(new TypeError('Failed to fetch (the demo is offline)'));
}
