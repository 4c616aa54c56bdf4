import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { remote } from 'webdriverio';
import { assertReady, type Driver, type Engine, unwrapEnvelope } from './driver.js';
import { freePort, type GroupProcess, spawnGroup } from './processes.js';
import { withTimeout } from './with-timeout.js';

const miniBrowser = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

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

/** Reads the display number Xvfb writes to `-displayfd` once it is ready for clients. */
function displayNumber(stream: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve(text.trim());
    });
    stream.once('end', () => reject(new Error('Xvfb exited before it reported a display')));
  });
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
  let xvfb: GroupProcess | undefined;
  let display = '';
  let driver: GroupProcess | undefined;
  let port = 0;
  const sessions = new Set<Browser>();

  async function startDriver(): Promise<void> {
    port = await freePort();
    driver = spawnGroup('WebKitWebDriver', [`--port=${port}`], {
      env: { ...process.env, DISPLAY: `:${display}` },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await driverReady(`http://127.0.0.1:${port}`, 10_000);
  }

  async function createSession(scriptTimeoutMs: number): Promise<Browser> {
    const browser = await remote({
      hostname: '127.0.0.1',
      port,
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

  return {
    name: 'webkit',
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
      // -noreset: by default Xvfb resets when its last client leaves, and the next MiniBrowser
      // then fails with "cannot open display".
      xvfb = spawnGroup(
        'Xvfb',
        ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp', '-noreset'],
        {
          stdio: ['ignore', 'ignore', 'inherit', 'pipe'],
        },
      );
      display = await withTimeout(displayNumber(xvfb.child.stdio[3] as Readable), 10_000, 'starting Xvfb');
      await startDriver();
    },
    async newSession({ scriptTimeoutMs }) {
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
      sessions.clear();
      await driver?.stop();
      await startDriver();
    },
    async stop() {
      const closing = [...sessions].map((browser) => browser.deleteSession().catch(() => {}));
      sessions.clear();
      await withTimeout(Promise.all(closing), 10_000, 'closing WebKit sessions').catch(() => {});
      await driver?.stop();
      await xvfb?.stop();
      driver = undefined;
      xvfb = undefined;
    },
  };
}
