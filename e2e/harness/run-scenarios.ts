import { rmSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { bundlePages } from './bundle.js';
import { bundleDemo, demoSubdirectory } from './bundle-demo.js';
import type { Driver, Engine } from './driver.js';
import { atExit, installExitHook, killAllGroups } from './processes.js';
import { type Scenario, Tab } from './scenario.js';
import { serveDirectory } from './static-server.js';
import { StepTimeoutError, withTimeout } from './with-timeout.js';

const scenariosDir = fileURLToPath(new URL('../scenarios/', import.meta.url));
const outRoot = fileURLToPath(new URL('../.out/', import.meta.url));

/** Default bound on one scenario (its `timeoutMs` overrides it). */
const defaultScenarioTimeoutMs = 30_000;
/**
 * Bound on the whole run, bundling and browser start included, plus the `runBudgetMs` of the selected
 * scenarios; `E2E_TIMEOUT_MS` overrides it.
 */
const defaultRunTimeoutMs = 480_000;

interface LoadedScenario {
  readonly id: string;
  readonly scenario: Scenario<unknown>;
}

async function loadScenarios(grep: RegExp | undefined): Promise<LoadedScenario[]> {
  const files = (await readdir(scenariosDir)).filter((name) => name.endsWith('.scenario.ts')).sort();
  const loaded: LoadedScenario[] = [];
  for (const file of files) {
    const id = file.slice(0, -'.scenario.ts'.length);
    const module = (await import(pathToFileURL(scenariosDir + file).href)) as { default?: Scenario<unknown> };
    if (!module.default) throw new Error(`e2e/scenarios/${file} has no default export (use defineScenario)`);
    if (grep && !grep.test(id) && !grep.test(module.default.title)) continue;
    loaded.push({ id, scenario: module.default });
  }
  return loaded;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Indents every line of `text` for printing under a scenario's line. */
const indent = (text: string) => text.replace(/^/gm, '    ');

/**
 * Runs one scenario in a fresh session: opens its page, runs its steps within its timeout, takes a
 * screenshot whatever happened, and closes the session. Returns the error, or undefined on success.
 */
async function runOne(
  engine: Engine,
  origin: string,
  { id, scenario }: LoadedScenario,
  notes: string[],
): Promise<unknown> {
  const timeoutMs = scenario.timeoutMs ?? defaultScenarioTimeoutMs;
  const session = {
    persistent: scenario.persistent ?? false,
    storage: scenario.storage,
    scriptTimeoutMs: timeoutMs,
  };
  let driver: Driver | undefined;
  /** Sessions opened by `newDevice()`, in order (the second device is `devices[0]`). */
  const devices: Driver[] = [];
  let failure: unknown;
  try {
    driver = await engine.newSession(session);
    const page = encodeURIComponent(scenario.page ?? id);
    const path = scenario.demo ? `/${demoSubdirectory}/index.html` : '/index.html';
    const tab = new Tab<unknown>(driver, `${origin}${path}?scenario=${page}`);
    const newDevice = async () => {
      const device = await engine.newSession(session);
      devices.push(device);
      await device.openPage(tab.pageUrl);
      return new Tab<unknown>(device, tab.pageUrl);
    };
    const steps = async () => {
      // A demo scenario opens its first tab itself, with the demo's server in the URL.
      if (!scenario.demo) await tab.driver.openPage(tab.pageUrl);
      const screenshot = (shown: Tab<unknown>, name: string) =>
        shown.driver.screenshot(`${outRoot}${engine.name}/${id}.${name}.png`);
      await scenario.run({
        engine: engine.name,
        tab,
        note: (text) => notes.push(text),
        newDevice,
        screenshot,
      });
    };
    await withTimeout(steps(), timeoutMs, `scenario ${id}`);
  } catch (error) {
    failure = error;
  }
  const sessions = driver ? [driver, ...devices] : [];
  for (const [index, open] of sessions.entries()) {
    const path = `${outRoot}${engine.name}/${id}${index === 0 ? '' : `.device-${index + 1}`}.png`;
    await withTimeout(open.screenshot(path), 10_000, 'screenshot').catch((error: unknown) => {
      notes.push(`no screenshot: ${(error as Error).message}`);
    });
  }
  for (const open of sessions.reverse()) {
    await withTimeout(open.close(), 15_000, 'closing the session').catch((error: unknown) => {
      failure ??= error;
    });
  }
  if (failure instanceof StepTimeoutError) await engine.recover();
  return failure;
}

/**
 * The runner behind e2e/run-chromium.mjs and e2e/run-webkit.mjs: bundles the pages, serves them on
 * 127.0.0.1, runs every selected scenario in a fresh session of `engine`, prints one line per
 * scenario and `N passed, M failed, K skipped` last, writes `{ passed, failed, skipped }` to
 * `$IDB_SYNC_COUNTS` when set, and returns the exit code. A scenario whose `skip` names this engine is
 * not run: its line says skipped and why. Options: `--grep <regexp>` selects scenarios by id or title.
 */
export async function runScenarios(engine: Engine, argv: string[]): Promise<number> {
  installExitHook();
  const { values } = parseArgs({ args: argv, options: { grep: { type: 'string' } } });
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const finish = () => {
    const countsFile = process.env.IDB_SYNC_COUNTS;
    if (countsFile) writeFileSync(countsFile, JSON.stringify({ passed, failed, skipped }));
    console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
    return failed > 0 || passed + skipped === 0 ? 1 : 0;
  };

  const missing = engine.missing();
  if (missing) {
    console.error(`${engine.name}: cannot run the browser tests: ${missing}`);
    failed = 1;
    return finish();
  }

  const scenarios = await loadScenarios(values.grep === undefined ? undefined : new RegExp(values.grep, 'i'));
  if (scenarios.length === 0) {
    console.error(`${engine.name}: no scenario matches --grep ${values.grep}`);
    failed = 1;
    return finish();
  }

  // A private bundle directory: two runners (or two engineers) must not overwrite each other's pages.
  const bundleDir = await mkdtemp(join(tmpdir(), `idb-sync-e2e-${engine.name}-`));
  const forgetBundleDir = atExit(() => rmSync(bundleDir, { recursive: true, force: true }));
  const runTimeoutMs = Number(
    process.env.E2E_TIMEOUT_MS ??
      scenarios.reduce((sum, { scenario }) => sum + (scenario.runBudgetMs ?? 0), defaultRunTimeoutMs),
  );
  const watchdog = setTimeout(() => {
    console.error(`${engine.name}: the run exceeded ${runTimeoutMs} ms; killing the browsers`);
    killAllGroups();
    failed += scenarios.length - passed - failed - skipped;
    process.exit(finish());
  }, runTimeoutMs);
  watchdog.unref();

  await mkdir(`${outRoot}${engine.name}`, { recursive: true });
  const server = { close: async () => {} };
  try {
    const bundleStart = performance.now();
    await withTimeout(bundlePages(bundleDir), 120_000, 'bundling the pages');
    if (scenarios.some(({ scenario }) => scenario.demo)) {
      await withTimeout(bundleDemo(join(bundleDir, demoSubdirectory)), 120_000, 'bundling the demo');
    }
    const served = await serveDirectory(bundleDir, engine.control);
    server.close = served.close;
    const engineStart = performance.now();
    await withTimeout(engine.start(), 60_000, `starting ${engine.name}`);
    console.log(
      `${engine.name}: bundled in ${seconds(engineStart - bundleStart)}, started in ` +
        `${seconds(performance.now() - engineStart)}; ${scenarios.length} scenario(s) on ${served.origin}`,
    );

    for (const loaded of scenarios) {
      const skipReason = loaded.scenario.skip?.[engine.name];
      if (skipReason !== undefined) {
        skipped += 1;
        console.log(`- ${loaded.id}: ${loaded.scenario.title} (SKIPPED in ${engine.name}: ${skipReason})`);
        continue;
      }
      const notes: string[] = [];
      const t0 = performance.now();
      const failure = await runOne(engine, served.origin, loaded, notes);
      const time = seconds(performance.now() - t0);
      if (failure === undefined) passed += 1;
      else failed += 1;
      console.log(`${failure === undefined ? '✓' : '✗'} ${loaded.id}: ${loaded.scenario.title} (${time})`);
      for (const note of notes) console.log(indent(note));
      if (failure !== undefined)
        console.log(indent(failure instanceof Error ? (failure.stack ?? failure.message) : String(failure)));
    }
  } catch (error) {
    console.error(`${engine.name}: the run failed outside any scenario:`);
    console.error(error);
    failed = Math.max(1, scenarios.length - passed - skipped);
  } finally {
    await engine.stop();
    await server.close();
    await rm(bundleDir, { recursive: true, force: true });
    forgetBundleDir();
    clearTimeout(watchdog);
  }
  // performance.now() counts from process start: the cold time, module loading included.
  console.log(`${engine.name}: total ${seconds(performance.now())} (cold: process start to end)`);
  return finish();
}
