import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { remote } from 'webdriverio';
import { ControlHub } from './control-hub.js';
import { assertReady, type Driver, type Engine, unwrapEnvelope } from './driver.js';
import { freePort, type GroupProcess, spawnGroup } from './processes.js';
import { miniBrowser, WebKitDiskTab } from './webkit-disk-tab.js';
import { withTimeout } from './with-timeout.js';
import { startXvfb, type Xvfb } from './xvfb.js';

/** The capabilities that work with WebKitWebDriver 2.50 and webdriverio 9 (see docs in BROWSERS.md). */
const capabilities = {
  browserName: 'MiniBrowser',
  // The driver rejects the BiDi `webSocketUrl` capability that webdriverio 9 adds by default.
  'wdio:enforceWebDriverClassic': true,
  // `--automation`, not `--automation-mode`: the latter makes the session request hang.
  'webkitgtk:browserOptions': { binary: miniBrowser, args: ['--automation'] },
} as const;

type Browser = Awaited<ReturnType<typeof remote>>;

/**
 * One WebDriver session. Its tabs share it, and WebDriver has a single "current window": every
 * command switches to its tab first, and commands run one at a time through `exclusive`.
 */
class Session {
  private current: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly browser: Browser) {}

  exclusive<T>(handle: string, command: (browser: Browser) => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      if (this.current !== handle) {
        await this.browser.switchToWindow(handle);
        this.current = handle;
      }
      return command(this.browser);
    });
    this.queue = next.catch(() => {});
    return next;
  }

  forget(handle: string): void {
    if (this.current === handle) this.current = undefined;
  }
}

/** One WebKit tab (a WebDriver window handle) as a {@link Driver}. */
class WebDriverTab implements Driver {
  constructor(
    private readonly session: Session,
    private readonly handle: string,
    private readonly closeSession: (() => Promise<void>) | undefined,
  ) {}

  private async waitReady(browser: Browser, url: string): Promise<void> {
    assertReady(url, await browser.execute(() => window.__idbSyncE2EReady));
  }

  openPage(url: string): Promise<void> {
    return this.session.exclusive(this.handle, async (browser) => {
      await browser.url(url);
      await this.waitReady(browser, url);
    });
  }

  async run(fnName: string, fnArgs: readonly unknown[]): Promise<unknown> {
    const json = await this.session.exclusive(this.handle, (browser) =>
      // The driver awaits the promise the script returns (W3C Execute Script).
      browser.execute(
        (name: string, values: readonly unknown[]) =>
          window.__idbSyncE2E
            ? window.__idbSyncE2E.run(name, values)
            : JSON.stringify({
                ok: false,
                error: { name: 'Error', message: 'the page runtime is not loaded' },
              }),
        fnName,
        fnArgs,
      ),
    );
    return unwrapEnvelope(fnName, json);
  }

  awaitNavigation(urlPart: string): Promise<void> {
    return this.session.exclusive(this.handle, async (browser) => {
      // WebDriver has no navigation event: poll until the new document has its ready promise (the
      // inline script that creates it runs before anything else on the page).
      await browser.waitUntil(
        async () =>
          (await browser.getUrl()).includes(urlPart) &&
          (await browser.execute(() => window.__idbSyncE2EReady !== undefined).catch(() => false)),
        { timeout: 30_000, interval: 100, timeoutMsg: `no navigation to a URL containing ${urlPart}` },
      );
      await this.waitReady(browser, await browser.getUrl());
    });
  }

  reload(): Promise<void> {
    return this.session.exclusive(this.handle, async (browser) => {
      await browser.refresh();
      await this.waitReady(browser, await browser.getUrl());
    });
  }

  async newTab(): Promise<Driver> {
    const { handle } = await this.session.exclusive(this.handle, (browser) => browser.createWindow('tab'));
    return new WebDriverTab(this.session, handle, undefined);
  }

  async screenshot(path: string): Promise<void> {
    await this.session.exclusive(this.handle, async (browser) => {
      // WebKit captures the last painted frame: let the page paint what it logged last, bounded
      // because a background tab may get no animation frames at all.
      await browser.execute(
        () =>
          new Promise((resolve) => {
            setTimeout(resolve, 500);
            requestAnimationFrame(() => requestAnimationFrame(resolve));
          }),
      );
      await browser.saveScreenshot(path);
    });
  }

  async close(): Promise<void> {
    if (this.closeSession) {
      await this.closeSession();
      return;
    }
    await this.session.exclusive(this.handle, async (browser) => {
      await browser.closeWindow();
      this.session.forget(this.handle);
    });
  }
}

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Waits until the WebDriver server answers `/status` with `ready`, within `timeoutMs`. */
async function driverReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`${url}/status`, { signal: AbortSignal.timeout(2_000) });
      const body = (await response.json()) as { value?: { ready?: boolean } };
      if (body.value?.ready) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline)
      throw new Error(`WebKitWebDriver did not come up on ${url} in ${timeoutMs} ms`);
    // No event tells us when a foreign process starts listening: poll its port, briefly.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * WebKitGTK (MiniBrowser) through WebKitWebDriver under Xvfb. The runner starts Xvfb on a free
 * display and the driver on a free port itself, each in its own process group, and kills both
 * groups (with every MiniBrowser and WebKit helper process in them) when it stops or exits.
 */
export function webkitEngine(): Engine {
  let xvfb: Xvfb | undefined;
  const control = new ControlHub();
  /** Open sessions of scenarios that asked for `storage: 'disk'`. */
  const diskTabs = new Set<WebKitDiskTab>();
  let driver: GroupProcess | undefined;
  let port = 0;
  const sessions = new Set<Browser>();
  /** Drivers of second devices (see `newDeviceSession`), each stopped when its session closes. */
  const extraDrivers = new Set<GroupProcess>();

  /** A WebKitWebDriver on a free port, ready for its session. */
  async function spawnDriver(): Promise<{ process: GroupProcess; port: number }> {
    const driverPort = await freePort();
    const spawned = spawnGroup('WebKitWebDriver', [`--port=${driverPort}`], {
      env: { ...process.env, DISPLAY: `:${xvfb?.display}` },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    try {
      await driverReady(`http://127.0.0.1:${driverPort}`, 10_000);
    } catch (error) {
      await spawned.stop();
      throw error;
    }
    return { process: spawned, port: driverPort };
  }

  async function startDriver(): Promise<void> {
    ({ process: driver, port } = await spawnDriver());
  }

  async function createSession(scriptTimeoutMs: number, driverPort = port): Promise<Browser> {
    const browser = await remote({
      hostname: '127.0.0.1',
      port: driverPort,
      path: '/',
      logLevel: 'silent',
      connectionRetryCount: 0,
      // Each WebDriver request waits for its page call: a long call (a large sync) needs as long as
      // the scenario may take, not just 30 s.
      connectionRetryTimeout: Math.max(30_000, scriptTimeoutMs + 5_000),
      capabilities,
    });
    sessions.add(browser);
    await browser.setTimeout({ script: scriptTimeoutMs, pageLoad: 15_000 });
    return browser;
  }

  async function stopExtraDrivers(): Promise<void> {
    const stopping = [...extraDrivers].map((extra) => extra.stop());
    extraDrivers.clear();
    await Promise.all(stopping);
  }

  /** A session beside the open one, on its own driver, which stops with the session. */
  async function newDeviceSession(scriptTimeoutMs: number): Promise<Driver> {
    const extra = await spawnDriver();
    extraDrivers.add(extra.process);
    let browser: Browser;
    try {
      browser = await withTimeout(
        createSession(scriptTimeoutMs, extra.port),
        45_000,
        'creating a second WebKit session',
      );
    } catch (error) {
      extraDrivers.delete(extra.process);
      await extra.process.stop();
      throw error;
    }
    const handle = await browser.getWindowHandle();
    return new WebDriverTab(new Session(browser), handle, async () => {
      sessions.delete(browser);
      try {
        await withTimeout(browser.deleteSession(), 10_000, 'closing the second WebKit session');
      } finally {
        extraDrivers.delete(extra.process);
        await extra.process.stop();
      }
    });
  }

  /** A MiniBrowser on disk driven through the control channel (see {@link WebKitDiskTab}). */
  function newDiskSession(scriptTimeoutMs: number): Driver {
    if (!xvfb) throw new Error('the WebKit engine is not started');
    const tab: WebKitDiskTab = new WebKitDiskTab(control, xvfb, {
      loadTimeoutMs: Math.max(60_000, scriptTimeoutMs),
      onClose: () => diskTabs.delete(tab),
    });
    diskTabs.add(tab);
    return tab;
  }

  async function closeDiskTabs(): Promise<void> {
    const closing = [...diskTabs].map((tab) => tab.close().catch(() => {}));
    diskTabs.clear();
    await Promise.all(closing);
  }

  return {
    name: 'webkit',
    control,
    missing() {
      const absent = [
        onPath('Xvfb') ? undefined : 'Xvfb (apt-get install -y xvfb)',
        onPath('WebKitWebDriver') ? undefined : 'WebKitWebDriver (apt-get install -y webkit2gtk-driver)',
        existsSync(miniBrowser) ? undefined : `${miniBrowser} (apt-get install -y webkit2gtk-driver)`,
      ].filter((line) => line !== undefined);
      return absent.length === 0
        ? undefined
        : `missing: ${absent.join(', ')}; or set SKIP_BROWSERS=1 to skip the browser tests.`;
    },
    async start() {
      // The framebuffer file gives sessions on disk their screenshots (nothing automates them).
      xvfb = await startXvfb({ framebuffer: true });
      await startDriver();
    },
    async newSession({ scriptTimeoutMs, storage }) {
      if (storage === 'disk') return newDiskSession(scriptTimeoutMs);
      // WebKitWebDriver serves one session at a time: a second device gets a driver of its own.
      if (sessions.size > 0) return newDeviceSession(scriptTimeoutMs);
      let browser: Browser;
      try {
        browser = await withTimeout(createSession(scriptTimeoutMs), 45_000, 'creating a WebKit session');
      } catch (error) {
        // Session creation is occasionally slow or refused: one retry on a fresh driver.
        console.warn(`WebKit session creation failed (${(error as Error).message}); retrying once`);
        await this.recover();
        browser = await withTimeout(
          createSession(scriptTimeoutMs),
          45_000,
          'creating a WebKit session (retry)',
        );
      }
      const session = new Session(browser);
      const handle = await browser.getWindowHandle();
      return new WebDriverTab(session, handle, async () => {
        sessions.delete(browser);
        await withTimeout(browser.deleteSession(), 10_000, 'closing the WebKit session');
      });
    },
    async recover() {
      await closeDiskTabs();
      sessions.clear();
      await stopExtraDrivers();
      await driver?.stop();
      await startDriver();
    },
    async stop() {
      const closing = [...sessions].map((browser) => browser.deleteSession().catch(() => {}));
      sessions.clear();
      await withTimeout(Promise.all(closing), 10_000, 'closing WebKit sessions').catch(() => {});
      await stopExtraDrivers();
      await closeDiskTabs();
      await driver?.stop();
      await xvfb?.stop();
      driver = undefined;
      xvfb = undefined;
    },
  };
}
