import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { assertReady, type Driver, unwrapEnvelope } from '../../e2e/harness/driver.js';
import { type GroupProcess, spawnGroup } from '../../e2e/harness/processes.js';
import { withTimeout } from '../../e2e/harness/with-timeout.js';
import type { ControlHub } from './control-hub.js';
import type { BenchEngine } from './engines.js';
import { webProcessRss } from './webkit-bench-engine.js';

const miniBrowser = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

/** Reads the display number Xvfb writes to `-displayfd` once it accepts clients. */
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

/**
 * One MiniBrowser window driven through the {@link ControlHub}: the page fetches its commands. The
 * browser starts with the first `openPage`, on a fresh profile (HOME and XDG directories in a
 * temporary directory), so IndexedDB is WebKit's on-disk SQLite store, as in Safari.
 */
class ControlledTab implements Driver {
  #browser: GroupProcess | undefined;
  readonly #tab = crypto.randomUUID();

  constructor(
    private readonly hub: ControlHub,
    private readonly display: string,
    private readonly profile: string,
  ) {}

  #controlled(url: string): string {
    const u = new URL(url);
    u.searchParams.set('control', this.#tab);
    return u.href;
  }

  async openPage(url: string): Promise<void> {
    const before = this.hub.currentLoad(this.#tab);
    if (this.#browser) await this.hub.send(this.#tab, '$navigate', [this.#controlled(url)]);
    else {
      const dir = (name: string) => join(this.profile, name);
      this.#browser = spawnGroup(miniBrowser, [this.#controlled(url)], {
        env: {
          ...process.env,
          DISPLAY: `:${this.display}`,
          HOME: this.profile,
          XDG_DATA_HOME: dir('data'),
          XDG_CACHE_HOME: dir('cache'),
          XDG_CONFIG_HOME: dir('config'),
        },
        stdio: ['ignore', 'ignore', 'ignore'],
      });
    }
    assertReady(url, await withTimeout(this.hub.nextLoad(this.#tab, before), 60_000, `loading ${url}`));
  }

  async run(fnName: string, args: readonly unknown[]): Promise<unknown> {
    return unwrapEnvelope(fnName, await this.hub.send(this.#tab, fnName, args));
  }

  async reload(): Promise<void> {
    const before = this.hub.currentLoad(this.#tab);
    await this.hub.send(this.#tab, '$reload', []);
    assertReady('reload', await withTimeout(this.hub.nextLoad(this.#tab, before), 60_000, 'reloading'));
  }

  newTab(): Promise<Driver> {
    return Promise.reject(new Error('a second tab is not supported without automation'));
  }

  screenshot(): Promise<void> {
    return Promise.reject(new Error('screenshots are not supported without automation'));
  }

  async close(): Promise<void> {
    await this.#browser?.stop();
    this.#browser = undefined;
    rmSync(this.profile, { recursive: true, force: true });
  }
}

/**
 * WebKitGTK with IndexedDB on disk: MiniBrowser outside automation mode (automation sessions keep
 * IndexedDB in memory), under its own Xvfb, each session a new browser process on a new profile.
 * WebDriver cannot drive it, so its pages take their commands from the bench origin.
 */
export function webkitDiskEngine(hub: ControlHub): BenchEngine {
  let xvfb: GroupProcess | undefined;
  let display = '';
  const open = new Set<ControlledTab>();
  return {
    name: 'webkit',
    storage: 'disk',
    missing: () =>
      existsSync(miniBrowser) ? undefined : `${miniBrowser} (apt-get install -y webkit2gtk-driver)`,
    async start() {
      xvfb = spawnGroup(
        'Xvfb',
        ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp', '-noreset'],
        {
          stdio: ['ignore', 'ignore', 'inherit', 'pipe'],
        },
      );
      display = await withTimeout(displayNumber(xvfb.child.stdio[3] as Readable), 10_000, 'starting Xvfb');
    },
    async newSession() {
      const profile = mkdtempSync(join(tmpdir(), 'idb-sync-bench-webkit-'));
      const tab = new ControlledTab(hub, display, profile);
      open.add(tab);
      return {
        driver: tab,
        memory: webProcessRss,
        close: async () => {
          open.delete(tab);
          await tab.close();
        },
      };
    },
    async stop() {
      for (const tab of open) await tab.close().catch(() => {});
      open.clear();
      await xvfb?.stop();
      xvfb = undefined;
    },
  };
}
