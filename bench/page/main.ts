/// <reference types="vite/client" />
// The in-page runtime of the benchmark pages. It speaks the e2e page protocol (the drivers of
// e2e/harness call `window.__idbSyncE2E.run(fn, args)` and get a JSON envelope back), and loads the
// workload page module named in `?workload=`. Timings are taken inside the page, so the driver's
// round trips are never part of a figure.
import { callPageFunction, type PageModule } from '../../e2e/page/call-page-function.js';
import { reportBoot } from '../../e2e/page/control-loop.js';

const modules = import.meta.glob<PageModule>('./workloads/*.page.ts');

async function call(module: PageModule, fnName: string, args: readonly unknown[]): Promise<string> {
  const { envelope, json } = await callPageFunction(module, fnName, args);
  const item = document.createElement('li');
  item.textContent = `${fnName}() → ${envelope.ok ? 'ok' : `${envelope.error.name}: ${envelope.error.message}`}`;
  document.getElementById('log')?.append(item);
  return json;
}

/** Smallest step of `performance.now()` (browsers coarsen it unless the page is cross-origin isolated). */
function timerResolutionMs(): number {
  let smallest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 50; i += 1) {
    const start = performance.now();
    let next = performance.now();
    while (next === start) next = performance.now();
    smallest = Math.min(smallest, next - start);
  }
  return smallest;
}

/** What the driver records about the page's engine. */
function environment() {
  return {
    userAgent: navigator.userAgent,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    timerResolutionMs: timerResolutionMs(),
  };
}

// Long calls: WebDriver commands time out after 30 s (the e2e WebKit engine's setting), and a
// benchmark step can take minutes. `$start` begins a call and answers at once with its id;
// `$await` answers when the call ends or after `waitMs`, whichever comes first, so the driver
// waits with a series of short commands.
const started = new Map<number, Promise<string>>();
let lastId = 0;

function start(module: PageModule, fnName: string, args: readonly unknown[]): string {
  lastId += 1;
  started.set(lastId, call(module, fnName, args));
  return JSON.stringify({ ok: true, value: lastId });
}

async function awaitCall(id: number, waitMs: number): Promise<string> {
  const pending = started.get(id);
  if (!pending)
    return JSON.stringify({ ok: false, error: { name: 'Error', message: `no started call #${id}` } });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waited = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), waitMs);
  });
  const envelope = await Promise.race([pending, waited]);
  clearTimeout(timer);
  if (envelope === undefined) return JSON.stringify({ ok: true, value: { state: 'pending' } });
  started.delete(id);
  return JSON.stringify({ ok: true, value: { state: 'done', envelope } });
}

async function boot(): Promise<void> {
  const workload = new URLSearchParams(location.search).get('workload') ?? '';
  const load = modules[`./workloads/${workload}.page.ts`];
  if (!load) throw new Error(`no page module bench/page/workloads/${workload}.page.ts`);
  const module = await load();
  document.title = `bench: ${workload}`;
  const heading = document.getElementById('workload');
  if (heading) heading.textContent = `${workload} — ${navigator.userAgent}`;
  window.__idbSyncE2E = {
    scenario: workload,
    run: (fnName, args) => {
      if (fnName === '$environment')
        return Promise.resolve(JSON.stringify({ ok: true, value: environment() }));
      if (fnName === '$start')
        return Promise.resolve(start(module, String(args[0]), (args[1] ?? []) as unknown[]));
      if (fnName === '$await') return awaitCall(Number(args[0]), Number(args[1]));
      return call(module, fnName, args);
    },
  };
}

reportBoot(boot());
