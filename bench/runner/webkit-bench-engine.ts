import { readdirSync, readFileSync } from 'node:fs';
import { webkitEngine } from '../../e2e/harness/webkit-engine.js';
import type { BenchEngine, MemoryProbe } from './engines.js';
import { LongCallDriver } from './long-call-driver.js';

interface ProcessInfo {
  pid: number;
  ppid: number;
  name: string;
}

function processes(): ProcessInfo[] {
  const list: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // `pid (comm) state ppid ...`; comm may hold spaces and parentheses: split at the last ')'.
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      list.push({ pid: Number(entry), ppid, name });
    } catch {
      // The process ended while we looked.
    }
  }
  return list;
}

/** Resident set size of a process in bytes (0 if it is gone). */
function rssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kb === undefined ? 0 : Number(kb) * 1024;
  } catch {
    return 0;
  }
}

/**
 * WebKit web content processes started by this Node process (through WebKitWebDriver and
 * MiniBrowser), so that another engineer's WebKit on the same machine is never counted.
 */
function ownWebProcesses(): number[] {
  const all = processes();
  const children = new Map<number, ProcessInfo[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      if (child.name.startsWith('WebKitWebProces')) found.push(child.pid);
      walk(child.pid);
    }
  };
  walk(process.pid);
  return found;
}

/**
 * JavaScriptCore exposes no heap figure to pages or to WebDriver (`performance.memory` is
 * Chromium-only), so WebKit's probe reads the resident memory of the web content processes this
 * run started: JS heap plus everything else the page holds. It cannot force a collection.
 */
export const webProcessRss: MemoryProbe = {
  kind: 'web-process-rss',
  async collectGarbage() {
    return false;
  },
  async read() {
    return ownWebProcesses().reduce((sum, pid) => sum + rssBytes(pid), 0);
  },
};

/**
 * WebKitGTK (MiniBrowser) through the e2e harness's WebDriver engine, under its own Xvfb. Automation
 * sessions keep IndexedDB in memory (there is no on-disk mode for automation).
 */
export function webkitBenchEngine(): BenchEngine {
  const engine = webkitEngine();
  return {
    name: 'webkit',
    storage: 'memory',
    missing: () => engine.missing(),
    start: () => engine.start(),
    async newSession(scriptTimeoutMs) {
      const driver = await engine.newSession({ persistent: false, scriptTimeoutMs });
      return { driver: new LongCallDriver(driver), memory: webProcessRss, close: () => driver.close() };
    },
    stop: () => engine.stop(),
  };
}
