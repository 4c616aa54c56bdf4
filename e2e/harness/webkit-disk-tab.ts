import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ControlHub } from './control-hub.js';
import { assertReady, type Driver, unwrapEnvelope } from './driver.js';
import { type GroupProcess, spawnGroup } from './processes.js';
import { withTimeout } from './with-timeout.js';
import type { Xvfb } from './xvfb.js';
import { saveXwdAsPng } from './xwd-to-png.js';

/** WebKitGTK's small browser (Debian package webkit2gtk-driver). */
export const miniBrowser = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

/**
 * A WebKitGTK tab with IndexedDB ON DISK (WebKit's SQLite store, as in Safari): a MiniBrowser
 * outside automation mode (WebDriver sessions keep IndexedDB in memory), on a fresh profile (HOME and
 * XDG directories in a temporary directory, removed on close), under `xvfb`. Nothing automates it:
 * its page follows the {@link ControlHub}'s channel (e2e/page/control-loop.ts), so every URL it
 * opens gets `?control=<tab id>`. The browser starts with the first {@link openPage}. One tab per
 * browser: no second tab; a screenshot is the display's framebuffer when Xvfb maps one.
 */
export class WebKitDiskTab implements Driver {
  #browser: GroupProcess | undefined;
  readonly #tab = crypto.randomUUID();
  readonly #profile = mkdtempSync(join(tmpdir(), 'idb-sync-webkit-disk-'));

  readonly #loadTimeoutMs: number;
  readonly #onClose: (() => void) | undefined;

  constructor(
    private readonly hub: ControlHub,
    private readonly xvfb: Xvfb,
    options: {
      /** Bound on a page load (first open, navigation, reload). Default 60 s. */
      loadTimeoutMs?: number;
      /** Called once the tab has closed (its owner forgets it). */
      onClose?: () => void;
    } = {},
  ) {
    this.#loadTimeoutMs = options.loadTimeoutMs ?? 60_000;
    this.#onClose = options.onClose;
  }

  #controlled(url: string): string {
    const u = new URL(url);
    u.searchParams.set('control', this.#tab);
    return u.href;
  }

  async openPage(url: string): Promise<void> {
    const before = this.hub.currentLoad(this.#tab);
    if (this.#browser) await this.hub.send(this.#tab, '$navigate', [this.#controlled(url)]);
    else {
      const dir = (name: string) => join(this.#profile, name);
      this.#browser = spawnGroup(miniBrowser, [this.#controlled(url)], {
        env: {
          ...process.env,
          DISPLAY: `:${this.xvfb.display}`,
          HOME: this.#profile,
          XDG_DATA_HOME: dir('data'),
          XDG_CACHE_HOME: dir('cache'),
          XDG_CONFIG_HOME: dir('config'),
        },
        stdio: ['ignore', 'ignore', 'ignore'],
      });
    }
    const status = await withTimeout(
      this.hub.nextLoad(this.#tab, before),
      this.#loadTimeoutMs,
      `loading ${url}`,
    );
    assertReady(url, status);
  }

  async run(fnName: string, args: readonly unknown[]): Promise<unknown> {
    return unwrapEnvelope(fnName, await this.hub.send(this.#tab, fnName, args));
  }

  async reload(): Promise<void> {
    const before = this.hub.currentLoad(this.#tab);
    await this.hub.send(this.#tab, '$reload', []);
    assertReady(
      'reload',
      await withTimeout(this.hub.nextLoad(this.#tab, before), this.#loadTimeoutMs, 'reloading'),
    );
  }

  newTab(): Promise<Driver> {
    return Promise.reject(new Error('WebKit on disk: a second tab is not supported without automation'));
  }

  async screenshot(path: string): Promise<void> {
    if (!this.xvfb.framebufferFile)
      throw new Error('WebKit on disk: no screenshot (this Xvfb maps no framebuffer)');
    await saveXwdAsPng(this.xvfb.framebufferFile, path);
  }

  async close(): Promise<void> {
    await this.#browser?.stop();
    this.#browser = undefined;
    rmSync(this.#profile, { recursive: true, force: true });
    this.#onClose?.();
  }
}
