import { defer, distinctUntilChanged, fromEvent, map, merge, type Observable, of, startWith } from 'rxjs';

/**
 * Where the sync client and its listeners learn whether the device is online and the page visible
 * (the one place the SDK reads `online`/`offline` and `visibilitychange`). Both streams emit the
 * current value on subscribe, then every change. Inject your own for tests, other runtimes, or an
 * app's own "work offline" switch.
 */
export interface SyncEnvironment {
  /** Whether the device is online: the current value on subscribe, then each change. */
  readonly online$: Observable<boolean>;
  /** Whether the page is visible: the current value on subscribe, then each change. */
  readonly visible$: Observable<boolean>;
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
export function browserEnvironment(globals: BrowserGlobals = globalThis as BrowserGlobals): SyncEnvironment {
  const online$ = defer(() => {
    if (typeof globals.addEventListener !== 'function') return of(true);
    const target = globals as EventTarget;
    return merge(
      fromEvent(target, 'online').pipe(map(() => true)),
      fromEvent(target, 'offline').pipe(map(() => false)),
    ).pipe(startWith(globals.navigator?.onLine !== false));
  }).pipe(distinctUntilChanged());
  const visible$ = defer(() => {
    const document = globals.document;
    if (document === undefined || typeof document.addEventListener !== 'function') return of(true);
    const isVisible = () => document.visibilityState !== 'hidden';
    return fromEvent(document as EventTarget, 'visibilitychange').pipe(
      map(isVisible),
      startWith(isVisible()),
    );
  }).pipe(distinctUntilChanged());
  return { online$, visible$ };
}
