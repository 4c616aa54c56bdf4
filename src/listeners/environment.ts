import { Observable, type Subscribable } from '../rx/observable.js';
import { distinct } from '../rx/operators.js';

/**
 * Where the sync client and its listeners learn whether the device is online and the page visible
 * (the one place the SDK reads `online`/`offline` and `visibilitychange`). Both streams emit the
 * current value on subscribe, then every change. Inject your own for tests, other runtimes, or an
 * app's own "work offline" switch.
 */
export interface SyncEnvironment {
  /** Whether the device is online: the current value on subscribe, then each change. */
  readonly online$: Subscribable<boolean>;
  /** Whether the page is visible: the current value on subscribe, then each change. */
  readonly visible$: Subscribable<boolean>;
}

/** The parts of a browser global the default environment reads (`window`/`globalThis`). */
export interface BrowserGlobals {
  /** `window.addEventListener`, for `online` and `offline`. */
  readonly addEventListener?: EventTarget['addEventListener'];
  /** `window.removeEventListener`. */
  readonly removeEventListener?: EventTarget['removeEventListener'];
  /** Read for `navigator.onLine`. */
  readonly navigator?: { readonly onLine?: boolean };
  /** Read for `visibilitychange` and `document.visibilityState`. */
  readonly document?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'> & {
    readonly visibilityState?: string;
  };
}

/**
 * The browser's signals: `online`/`offline` events of `window` and `navigator.onLine`, and
 * `visibilitychange` of `document` with `document.visibilityState`. Event listeners are added only
 * while a stream is subscribed and removed on unsubscribe; importing or calling this adds none.
 * Where there is no `window` or `document` (Node, workers without them) the value is always `true`.
 *
 * @param globals the global object to read; default `globalThis`.
 */
export function browserEnvironment(
  globals: BrowserGlobals = globalThis as BrowserGlobals,
): SyncEnvironment & { readonly online$: Observable<boolean>; readonly visible$: Observable<boolean> } {
  return {
    online$: listen(
      () => (typeof globals.addEventListener === 'function' ? (globals as EventTarget) : undefined),
      ['online', 'offline'],
      () => globals.navigator?.onLine !== false,
      (event) => event?.type !== 'offline',
    ),
    visible$: listen(
      () =>
        typeof globals.document?.addEventListener === 'function'
          ? (globals.document as EventTarget)
          : undefined,
      ['visibilitychange'],
      () => globals.document?.visibilityState !== 'hidden',
    ),
  };
}

/**
 * `initial()` on subscribe, then the value after each of `events` on the target (`read(event)`,
 * default `initial()`), without repeats; always `true` where there is no target. The listeners
 * live as long as the subscription.
 */
function listen(
  targetOf: () => EventTarget | undefined,
  events: readonly string[],
  initial: () => boolean,
  read: (event?: Event) => boolean = initial,
): Observable<boolean> {
  return distinct(
    new Observable<boolean>((subscriber) => {
      const target = targetOf();
      if (target === undefined) {
        subscriber.next(true);
        return;
      }
      const listener = (event: Event) => subscriber.next(read(event));
      subscriber.next(initial());
      for (const type of events) target.addEventListener(type, listener);
      return () => {
        for (const type of events) target.removeEventListener(type, listener);
      };
    }),
  );
}
