/** Options of {@link idbReady}. */
export interface IdbReadyOptions {
  /** How long to poll at most before opening anyway, in milliseconds. */
  readonly maxWaitMs: number;
  /** Delay between two polls, in milliseconds. */
  readonly intervalMs: number;
}

const ready = new WeakMap<IDBFactory, Promise<void>>();

/**
 * Safari 14 first-open hang workaround: there, `indexedDB.open()` can hang forever on the first
 * use in a page until `indexedDB.databases()` has been called, sometimes more than once. So before
 * the first open we call `databases()` every `intervalMs` until one call answers, for at most
 * `maxWaitMs`. Once per factory and page; later opens go straight through.
 */
export function idbReady(factory: IDBFactory, options: IdbReadyOptions): Promise<void> {
  if (typeof factory.databases !== 'function') return Promise.resolve();
  let promise = ready.get(factory);
  if (!promise) {
    promise = new Promise<void>((resolve) => {
      const finish = (): void => {
        clearInterval(interval);
        clearTimeout(limit);
        resolve();
      };
      const poke = (): void => {
        try {
          factory.databases().then(finish, finish);
        } catch {
          finish();
        }
      };
      const interval = setInterval(poke, options.intervalMs);
      const limit = setTimeout(finish, options.maxWaitMs);
      poke();
    });
    ready.set(factory, promise);
  }
  return promise;
}

/** True on Safari (desktop and iOS), where {@link idbReady} is needed; false elsewhere. */
export function isSafari(userAgent: string | undefined, hasUserAgentData: boolean): boolean {
  if (!userAgent || hasUserAgentData) return false; // Chromium browsers expose userAgentData
  return /Safari\//.test(userAgent) && !/Chrom(e|ium)\/|CriOS\/|Edg\/|FxiOS\//.test(userAgent);
}

/** Whether this page runs in Safari, judged from `navigator`. */
export function runsOnSafari(): boolean {
  const navigator = globalThis.navigator as { userAgent?: string; userAgentData?: unknown } | undefined;
  return isSafari(navigator?.userAgent, navigator?.userAgentData !== undefined);
}
