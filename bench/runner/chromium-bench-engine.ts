import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type CDPSession, chromium, type Page } from 'playwright-core';
import { assertReady, type Driver, unwrapEnvelope } from '../../e2e/harness/driver.js';
import { withTimeout } from '../../e2e/harness/with-timeout.js';
import type { BenchEngine, BenchSession, MemoryProbe } from './engines.js';

const executablePath = '/usr/bin/chromium';
/** The e2e harness's Chromium flags (see e2e/harness/chromium-engine.ts and BROWSERS.md). */
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

/**
 * The benchmark's Chromium tab: the e2e {@link Driver} contract (same page protocol, same envelope
 * handling) plus a CDP session for heap readings, which the e2e driver does not expose.
 */
class ChromiumTab implements Driver {
  constructor(
    private readonly page: Page,
    private readonly context: BrowserContext,
  ) {}

  async openPage(url: string): Promise<void> {
    await this.page.goto(url);
    assertReady(url, await this.page.evaluate(() => window.__idbSyncE2EReady));
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

  async reload(): Promise<void> {
    await this.page.reload();
    assertReady(this.page.url(), await this.page.evaluate(() => window.__idbSyncE2EReady));
  }

  async newTab(): Promise<Driver> {
    return new ChromiumTab(await this.context.newPage(), this.context);
  }

  async screenshot(path: string): Promise<void> {
    await this.page.screenshot({ path });
  }

  async close(): Promise<void> {
    await this.page.close();
  }
}

/** V8 heap in use, read over CDP. The reading is answered between tasks of the page. */
function cdpMemory(cdp: CDPSession): MemoryProbe {
  return {
    kind: 'v8-heap-used',
    async collectGarbage() {
      await cdp.send('HeapProfiler.collectGarbage');
      return true;
    },
    async read() {
      return (await cdp.send('Runtime.getHeapUsage')).usedSize;
    },
  };
}

/**
 * Debian's Chromium through Playwright. `storage: 'memory'` gives each session an incognito context
 * (IndexedDB in memory); `'disk'` a persistent context on a temporary profile (LevelDB on disk),
 * removed when the session closes.
 */
export function chromiumBenchEngine(storage: 'memory' | 'disk'): BenchEngine {
  let browser: Browser | undefined;
  const open = new Set<() => Promise<void>>();
  /** Profiles still on disk: removed on exit even when a watchdog ends the run. */
  const profiles = new Set<string>();
  const removeProfiles = () => {
    for (const profile of profiles) rmSync(profile, { recursive: true, force: true });
  };

  async function session(context: BrowserContext, profile: string | undefined): Promise<BenchSession> {
    const page = context.pages()[0] ?? (await context.newPage());
    const cdp = await context.newCDPSession(page);
    const close = async () => {
      open.delete(close);
      try {
        await withTimeout(context.close(), 15_000, 'closing the Chromium context');
      } finally {
        if (profile) {
          rmSync(profile, { recursive: true, force: true });
          profiles.delete(profile);
        }
      }
    };
    open.add(close);
    return { driver: new ChromiumTab(page, context), memory: cdpMemory(cdp), close };
  }

  return {
    name: 'chromium',
    storage,
    missing: () =>
      existsSync(executablePath)
        ? undefined
        : `${executablePath} not found (apt-get install -y chromium); never run \`npx playwright install\``,
    async start() {
      if (storage === 'memory') browser = await chromium.launch({ executablePath, args, headless: true });
    },
    async newSession() {
      if (storage === 'memory') {
        if (!browser) throw new Error('start() first');
        return session(await browser.newContext(), undefined);
      }
      const profile = mkdtempSync(join(tmpdir(), 'idb-sync-bench-chromium-'));
      if (profiles.size === 0) process.once('exit', removeProfiles);
      profiles.add(profile);
      try {
        const context = await chromium.launchPersistentContext(profile, {
          executablePath,
          args,
          headless: true,
        });
        return await session(context, profile);
      } catch (error) {
        rmSync(profile, { recursive: true, force: true });
        profiles.delete(profile);
        throw error;
      }
    },
    async stop() {
      const closing = [...open].map((close) => close().catch(() => {}));
      if (browser) closing.push(browser.close().catch(() => {}));
      browser = undefined;
      await withTimeout(Promise.all(closing), 20_000, 'closing Chromium').catch(() => {});
    },
  };
}
