import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type CDPSession, chromium, type Page } from 'playwright-core';
import { assertReady, type Driver, type Engine, unwrapEnvelope } from './driver.js';
import { atExit } from './processes.js';
import { withTimeout } from './with-timeout.js';

const executablePath = '/usr/bin/chromium';
/** Debian's Chromium, headless, with everything that would reach the network or a GPU turned off. */
const args = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** One Playwright page as a {@link Driver}. */
class PlaywrightTab implements Driver {
  /** Kept open once used: Chromium drops a quota override when its DevTools session detaches. */
  private devtools: CDPSession | undefined;

  constructor(
    private readonly page: Page,
    private readonly context: BrowserContext,
    /** Runs when the session's first tab closes: closes the context (and removes its profile). */
    private readonly closeSession: (() => Promise<void>) | undefined,
  ) {}

  private async waitReady(url: string): Promise<void> {
    assertReady(url, await this.page.evaluate(() => window.__idbSyncE2EReady));
  }

  async openPage(url: string): Promise<void> {
    await this.page.goto(url);
    await this.waitReady(url);
  }

  async run(fnName: string, fnArgs: readonly unknown[]): Promise<unknown> {
    const json = await this.page.evaluate(
      ([name, values]) => {
        const runtime = window.__idbSyncE2E;
        if (!runtime) throw new Error('the page runtime is not loaded');
        return runtime.run(name, values);
      },
      [fnName, fnArgs] as const,
    );
    return unwrapEnvelope(fnName, json);
  }

  async awaitNavigation(urlPart: string): Promise<void> {
    await this.page.waitForURL((url) => url.href.includes(urlPart));
    await this.waitReady(this.page.url());
  }

  async reload(): Promise<void> {
    await this.page.reload();
    await this.waitReady(this.page.url());
  }

  async newTab(): Promise<Driver> {
    return new PlaywrightTab(await this.context.newPage(), this.context, undefined);
  }

  async screenshot(path: string): Promise<void> {
    await this.page.screenshot({ path });
  }

  async setStorageQuota(bytes: number | undefined): Promise<void> {
    this.devtools ??= await this.context.newCDPSession(this.page);
    const origin = new URL(this.page.url()).origin;
    await this.devtools.send(
      'Storage.overrideQuotaForOrigin',
      bytes === undefined ? { origin } : { origin, quotaSize: bytes },
    );
  }

  async close(): Promise<void> {
    if (this.closeSession) await this.closeSession();
    else await this.page.close();
  }
}

/**
 * Chromium through Playwright: one browser for the run and an incognito context (IndexedDB in memory)
 * per scenario, or a persistent context on a temporary profile (LevelDB on disk) when the scenario
 * asks for persistence.
 */
export function chromiumEngine(): Engine {
  let browser: Browser | undefined;
  /** Open sessions, each with what closes it (and removes its profile directory, if any). */
  const sessions = new Map<BrowserContext, () => Promise<void>>();

  function track(context: BrowserContext, profile?: string): () => Promise<void> {
    // A persistent context's profile is removed on exit even if the run is killed (watchdog, signal).
    const removeProfile = () => {
      if (profile) rmSync(profile, { recursive: true, force: true });
    };
    const forgetProfile = atExit(removeProfile);
    const close = async () => {
      sessions.delete(context);
      try {
        await context.close();
      } finally {
        removeProfile();
        forgetProfile();
      }
    };
    sessions.set(context, close);
    return close;
  }

  async function launched(): Promise<Browser> {
    browser ??= await chromium.launch({ executablePath, args, headless: true });
    return browser;
  }

  return {
    name: 'chromium',
    missing() {
      return existsSync(executablePath)
        ? undefined
        : `${executablePath} not found: install Debian's Chromium (apt-get install -y chromium), ` +
            'or set SKIP_BROWSERS=1 to skip the browser tests. Do not run `npx playwright install`.';
    },
    async start() {
      await launched();
    },
    async newSession({ persistent, storage }) {
      if (persistent || storage === 'disk') {
        const profile = mkdtempSync(join(tmpdir(), 'idb-sync-e2e-chromium-'));
        let context: BrowserContext;
        try {
          context = await chromium.launchPersistentContext(profile, { executablePath, args, headless: true });
        } catch (error) {
          rmSync(profile, { recursive: true, force: true });
          throw error;
        }
        const close = track(context, profile);
        return new PlaywrightTab(context.pages()[0] ?? (await context.newPage()), context, close);
      }
      const context = await (await launched()).newContext();
      return new PlaywrightTab(await context.newPage(), context, track(context));
    },
    async recover() {
      await this.stop();
    },
    async stop() {
      // A wedged browser may not answer close(): bounded, and Playwright kills its own children
      // when Node exits in any case.
      const closing = [...sessions.values()].map((close) => close().catch(() => {}));
      if (browser) closing.push(browser.close().catch(() => {}));
      browser = undefined;
      await withTimeout(Promise.all(closing), 10_000, 'closing Chromium').catch(() => {});
    },
  };
}
