import { existsSync } from 'node:fs';
import type { ControlHub } from '../../e2e/harness/control-hub.js';
import { miniBrowser, WebKitDiskTab } from '../../e2e/harness/webkit-disk-tab.js';
import { startXvfb, type Xvfb } from '../../e2e/harness/xvfb.js';
import type { BenchEngine } from './engines.js';
import { webProcessRss } from './webkit-bench-engine.js';

/**
 * WebKitGTK with IndexedDB on disk: MiniBrowser outside automation mode (automation sessions keep
 * IndexedDB in memory), under its own Xvfb, each session a new browser process on a new profile.
 * WebDriver cannot drive it, so its pages take their commands from the bench origin's control hub.
 */
export function webkitDiskEngine(hub: ControlHub): BenchEngine {
  let xvfb: Xvfb | undefined;
  const open = new Set<WebKitDiskTab>();
  return {
    name: 'webkit',
    storage: 'disk',
    missing: () =>
      existsSync(miniBrowser) ? undefined : `${miniBrowser} (apt-get install -y webkit2gtk-driver)`,
    async start() {
      xvfb = await startXvfb();
    },
    async newSession() {
      if (!xvfb) throw new Error('the WebKit on disk engine is not started');
      const tab: WebKitDiskTab = new WebKitDiskTab(hub, xvfb, { onClose: () => open.delete(tab) });
      open.add(tab);
      return { driver: tab, memory: webProcessRss, close: () => tab.close() };
    },
    async stop() {
      for (const tab of open) await tab.close().catch(() => {});
      open.clear();
      await xvfb?.stop();
      xvfb = undefined;
    },
  };
}
