import type { Driver } from './driver.js';

// biome-ignore lint/suspicious/noExplicitAny: the widest function type, needed to match any export
type AnyFunction = (...args: any[]) => unknown;

/** Names of the functions a scenario page module exports. */
export type PageFunctionName<M> = {
  [K in keyof M]: M[K] extends AnyFunction ? K : never;
}[keyof M] &
  string;

type Args<M, K extends PageFunctionName<M>> = M[K] extends AnyFunction ? Parameters<M[K]> : never;
type Result<M, K extends PageFunctionName<M>> = M[K] extends AnyFunction ? Awaited<ReturnType<M[K]>> : never;

/** A call begun with {@link Tab.start}: still running in the page until settled. */
export interface StartedCall<T> {
  /** Waits for the call to finish in the page; rejects with a PageError if it threw. */
  settle(): Promise<T>;
}

/**
 * One tab showing the scenario's page, typed by its page module `M`: `run('fn', ...args)` checks the
 * function name, its arguments and its result against `e2e/scenarios/<id>.page.ts` at compile time.
 * Results cross the page boundary as JSON.
 */
export class Tab<M> {
  constructor(
    /** The engine driver behind this tab (for anything the typed helpers do not cover). */
    readonly driver: Driver,
    /**
     * The scenario page's URL: where {@link Tab.newTab} navigates the new tab (and the runner a new
     * device). {@link Tab.open} sets it.
     */
    public pageUrl: string,
  ) {}

  /**
   * Navigates this tab to its scenario page with `query` added to the URL (a demo scenario passes
   * the demo's `config` this way), waits for the page runtime, and keeps that URL as
   * {@link Tab.pageUrl}, so tabs and devices opened later load the same page.
   */
  async open(query: Readonly<Record<string, string>> = {}): Promise<void> {
    const url = new URL(this.pageUrl);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    await this.driver.openPage(url.href);
    this.pageUrl = url.href;
  }

  /**
   * Waits for a navigation the page started itself (a button that loads another URL) to reach a URL
   * containing `urlPart`, and for the page runtime there. Start the navigation with a page function
   * that returns before it happens.
   */
  awaitNavigation(urlPart: string): Promise<void> {
    if (!this.driver.awaitNavigation) throw new Error('this driver cannot wait for a navigation');
    return this.driver.awaitNavigation(urlPart);
  }

  /** Runs page function `fn` and waits for its result. */
  async run<K extends PageFunctionName<M>>(fn: K, ...args: Args<M, K>): Promise<Result<M, K>> {
    return (await this.driver.run(fn, args)) as Result<M, K>;
  }

  /**
   * Begins page function `fn` and returns at once, so the scenario can act in another tab while it
   * runs (a WebDriver session executes one command at a time).
   */
  async start<K extends PageFunctionName<M>>(fn: K, ...args: Args<M, K>): Promise<StartedCall<Result<M, K>>> {
    const id = await this.driver.run('$start', [fn, args]);
    return { settle: async () => (await this.driver.run('$settle', [id])) as Result<M, K> };
  }

  /** Reloads the page; storage survives. */
  reload(): Promise<void> {
    return this.driver.reload();
  }

  /**
   * Opens a second tab in the same session (same origin storage), on the same scenario page, or on
   * `pageUrl` (another page of the origin that loads the page runtime).
   */
  async newTab(pageUrl = this.pageUrl): Promise<Tab<M>> {
    const driver = await this.driver.newTab();
    await driver.openPage(pageUrl);
    return new Tab<M>(driver, pageUrl);
  }

  /**
   * Gives the page's origin a storage quota of `bytes` (`undefined` restores the browser's own), so
   * writes beyond it fail with QuotaExceededError. Chromium only: a scenario using it declares
   * `skip: { webkit: why }`.
   */
  setStorageQuota(bytes: number | undefined): Promise<void> {
    if (!this.driver.setStorageQuota) throw new Error('this engine cannot set a storage quota');
    return this.driver.setStorageQuota(bytes);
  }

  /** Closes this tab (the session's first tab closes the session: leave that to the harness). */
  close(): Promise<void> {
    return this.driver.close();
  }
}

/** What a scenario's Node side gets. */
export interface ScenarioContext<M> {
  /** The engine running the scenario; use it only for documented engine differences. */
  readonly engine: 'chromium' | 'webkit';
  /** The first tab, already showing the scenario page. */
  readonly tab: Tab<M>;
  /** Records a measured figure; the runner prints it after the scenario's line. */
  note(text: string): void;
  /**
   * Opens the scenario page (the first tab's current {@link Tab.pageUrl}) in a second, separate
   * browser session with its own storage: another device of the same user. Chromium: a new browser
   * context; WebKit: a new WebDriver session (its own MiniBrowser). The runner screenshots and
   * closes it after the scenario.
   */
  newDevice(): Promise<Tab<M>>;
  /**
   * Saves what `tab` shows now as `e2e/.out/<engine>/<scenario>.<name>.png`, beside the screenshot
   * the runner takes at the end: for a state the scenario moves on from.
   */
  screenshot(tab: Tab<M>, name: string): Promise<void>;
}

/**
 * A scenario: Node-side steps (`run`) that drive page functions exported by the matching page module
 * `e2e/scenarios/<id>.page.ts`, where `<id>` is this file's name without `.scenario.ts`.
 */
export interface Scenario<M> {
  /** One line saying what the scenario shows; printed by the runners. */
  readonly title: string;
  /** Id of the page module to load (`e2e/scenarios/<page>.page.ts`). Default: the scenario's own id. */
  readonly page?: string;
  /**
   * Runs in the demo app (demo/index.html built with Vite, the e2e page runtime added) instead of the
   * bare test page; `page` names the page module loaded into it. The first tab then starts blank:
   * the demo needs its server at load, so the scenario opens it with `tab.open({ config })`.
   * Default false.
   */
  readonly demo?: boolean;
  /** Bound on the whole scenario, session start excluded. Default 30000 ms. */
  readonly timeoutMs?: number;
  /**
   * Time added to the run's bound (8 min, or `E2E_TIMEOUT_MS` which then overrides everything) when
   * this scenario is selected: only for a scenario that alone takes minutes. Default 0.
   */
  readonly runBudgetMs?: number;
  /**
   * Storage must survive a real reload on disk: Chromium then runs the scenario in a persistent
   * context (LevelDB in a temporary profile). Default false (in-memory storage). WebKit keeps
   * IndexedDB for its whole automation session in either case.
   */
  readonly persistent?: boolean;
  /**
   * `'disk'`: IndexedDB on disk in every engine, as in the shipped browser, for scenarios whose figures
   * or behaviour depend on the real store (large syncs). Chromium: a persistent context, as with
   * `persistent`. WebKit: a MiniBrowser outside automation (WebDriver sessions keep IndexedDB in
   * memory, where large stores are slow and behave unlike Safari's SQLite store), driven through the
   * page control channel: one tab, no `newTab`, no `newDevice`, screenshots of the whole display.
   * Default: the engine's automation storage.
   */
  readonly storage?: 'disk';
  /**
   * Engines the scenario cannot run in, each with the reason; the runner prints the scenario as
   * skipped there (never as passed) with that reason.
   */
  readonly skip?: Partial<Record<ScenarioContext<M>['engine'], string>>;
  /** The steps; throw (for example with `node:assert`) to fail. */
  run(context: ScenarioContext<M>): Promise<void>;
}

/** Declares a scenario typed by its page module: `defineScenario<typeof import('./x.page.js')>({...})`. */
export function defineScenario<M>(scenario: Scenario<M>): Scenario<M> {
  return scenario;
}
