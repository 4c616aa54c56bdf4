import type { ControlHub } from './control-hub.js';

/**
 * The thin driver interface both engines implement (Playwright for Chromium, WebDriver for WebKit),
 * so that one scenario definition runs unchanged in both.
 */

/** One browser tab with a page of the e2e bundle loaded in it. */
export interface Driver {
  /** Navigates this tab to `url` and waits until the page runtime has loaded its scenario module. */
  openPage(url: string): Promise<void>;
  /**
   * Calls the exported function `fnName` of the tab's scenario page module with `args` (JSON values)
   * and resolves with its JSON result. A function that throws or rejects rejects here with a
   * {@link PageError} carrying the in-page error's name, message and code.
   */
  run(fnName: string, args: readonly unknown[]): Promise<unknown>;
  /**
   * Waits until a navigation the page started itself reached a URL containing `urlPart` and the page
   * runtime loaded there (as {@link Driver.openPage} does after its own navigation). Both e2e
   * engines have it; drivers of other runners (the benchmarks') may not.
   */
  awaitNavigation?(urlPart: string): Promise<void>;
  /** Reloads the page (storage survives) and waits until the runtime is ready again. */
  reload(): Promise<void>;
  /** Opens a second tab in the same browser session (same origin storage); it starts blank. */
  newTab(): Promise<Driver>;
  /** Saves a PNG of what the tab shows. */
  screenshot(path: string): Promise<void>;
  /** Closes this tab; the session's first tab closes the whole session (and its storage). */
  close(): Promise<void>;
  /**
   * Gives the tab's origin a storage quota of `bytes` (`undefined`: the browser's own quota again).
   * Only where the engine can (Chromium, through the DevTools protocol); absent elsewhere.
   */
  setStorageQuota?(bytes: number | undefined): Promise<void>;
}

/** What a scenario asks of its session (see the scenario options of the same names). */
export interface SessionOptions {
  readonly persistent: boolean;
  /** `'disk'`: IndexedDB on disk, as in the shipped browser, even where automation keeps it in memory. */
  readonly storage?: 'disk' | undefined;
  readonly scriptTimeoutMs: number;
}

/** A browser engine: started once per runner, one fresh session (storage) per scenario. */
export interface Engine {
  readonly name: 'chromium' | 'webkit';
  /**
   * The control channel of pages this engine drives without automation (WebKit on disk): the runner
   * serves it on the pages' origin. Absent when every page is automated.
   */
  readonly control?: ControlHub;
  /** Human-readable list of what is missing to run this engine, or `undefined` when all is there. */
  missing(): string | undefined;
  /** Starts the long-lived parts (browser, Xvfb, WebDriver server). */
  start(): Promise<void>;
  /**
   * A new session with empty storage and one blank tab. `persistent: true` asks for storage that
   * survives a real reload on disk (Chromium persistent context); `storage: 'disk'` asks for the
   * browser's on-disk store even where automation keeps it in memory; WebKit's automation session
   * keeps IndexedDB for the whole session, across reloads, in any case.
   */
  newSession(options: SessionOptions): Promise<Driver>;
  /** Called after a scenario timed out: kill whatever may be wedged so the next scenario starts clean. */
  recover(): Promise<void>;
  /** Stops everything this engine started. Idempotent. */
  stop(): Promise<void>;
}

/** An error serialised out of the page: what the scenario function threw. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
}

/** What the page runtime hands back for every call, as a JSON string (identical in both engines). */
export type PageEnvelope = { ok: true; value?: unknown } | { ok: false; error: SerializedError };

/** A scenario page function threw or rejected: its error, rebuilt on the Node side. */
export class PageError extends Error {
  override readonly name = 'PageError';
  /** The in-page error's `name` (for example `UpgradeBlockedError`). */
  readonly errorName: string;
  /** The in-page error's `code`, when it had one. */
  readonly code: string | undefined;
  constructor(
    readonly fnName: string,
    error: SerializedError,
  ) {
    super(`${fnName}() failed in the page: ${error.name}: ${error.message}\n${error.stack ?? ''}`);
    this.errorName = error.name;
    this.code = error.code;
  }
}

/** Turns the runtime's JSON answer into a value or a thrown {@link PageError}. */
export function unwrapEnvelope(fnName: string, json: unknown): unknown {
  if (typeof json !== 'string') throw new Error(`${fnName}(): the page runtime answered ${typeof json}`);
  const envelope = JSON.parse(json) as PageEnvelope;
  if (!envelope.ok) throw new PageError(fnName, envelope.error);
  return envelope.value;
}

/** What the page runtime (e2e/page/main.ts) installs on `window`. */
export interface PageRuntime {
  /** The scenario id from `?scenario=`. */
  readonly scenario: string;
  /** Calls a page function; always resolves, with a JSON {@link PageEnvelope}. */
  run(fnName: string, args: readonly unknown[]): Promise<string>;
}

declare global {
  interface Window {
    __idbSyncE2E?: PageRuntime;
    /** Resolves with `ready`, or with `failed: <why>` when the scenario module did not load. */
    __idbSyncE2EReady?: Promise<string>;
    __idbSyncE2EBoot?: (status: string) => void;
  }
}

/** Throws unless the page runtime reported `ready`. */
export function assertReady(url: string, status: unknown): void {
  if (status !== 'ready') throw new Error(`page ${url} did not load its scenario module: ${String(status)}`);
}
