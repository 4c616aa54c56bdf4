/// <reference types="vite/client" />
// The in-page runtime: loads the scenario page module named in `?scenario=`, and exposes
// `window.__idbSyncE2E.run(fn, args)`, which drivers call. Every answer is a JSON string so that
// Playwright (structured clone) and WebDriver (JSON) hand back exactly the same thing.
import type { PageEnvelope } from '../harness/driver.js';
import { callPageFunction, type PageModule } from './call-page-function.js';
import { reportBoot } from './control-loop.js';

const modules = import.meta.glob<PageModule>('../scenarios/*.page.ts');

function log(fnName: string, envelope: PageEnvelope, json: string): void {
  const item = document.createElement('li');
  item.className = envelope.ok ? 'ok' : 'error';
  const detail = envelope.ok ? json.slice(0, 160) : `${envelope.error.name}: ${envelope.error.message}`;
  item.textContent = `${fnName}() → ${detail}`;
  document.getElementById('log')?.append(item);
}

async function call(module: PageModule, fnName: string, args: readonly unknown[]): Promise<string> {
  const { envelope, json } = await callPageFunction(module, fnName, args);
  log(fnName, envelope, json);
  return json;
}

async function boot(): Promise<void> {
  const scenario = new URLSearchParams(location.search).get('scenario') ?? '';
  const load = modules[`../scenarios/${scenario}.page.ts`];
  if (!load) throw new Error(`no page module e2e/scenarios/${scenario}.page.ts`);
  const module = await load();
  document.title = `e2e: ${scenario}`;
  const heading = document.getElementById('scenario');
  if (heading) heading.textContent = `${scenario} — ${navigator.userAgent}`;
  // Built-ins: `$start` begins a call without waiting for it (so that a scenario can act in another
  // tab meanwhile: WebDriver runs one command at a time) and `$settle` waits for such a call and
  // answers with its own envelope.
  const started = new Map<number, Promise<string>>();
  let lastId = 0;
  window.__idbSyncE2E = {
    scenario,
    async run(fnName, args) {
      if (fnName === '$start') {
        lastId += 1;
        started.set(lastId, call(module, String(args[0]), (args[1] ?? []) as unknown[]));
        return JSON.stringify({ ok: true, value: lastId });
      }
      if (fnName === '$settle') {
        const pending = started.get(Number(args[0]));
        if (pending) return pending;
        return JSON.stringify({
          ok: false,
          error: { name: 'Error', message: `no started call #${args[0]}` },
        });
      }
      return call(module, fnName, args);
    },
  };
}

reportBoot(boot());
