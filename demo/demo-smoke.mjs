// Smoke test of the demo in a real headless Chromium: starts the demo (temp PGlite, small seed),
// opens the page, and checks that the first sync fills the store, the picker renders and searches,
// a work order created offline is pushed once back online, a server edit of the same field shows up
// in the conflict log, "load schema v2" upgrades while a second v1 tab is told to reload, and a service
// type the server adds afterwards arrives through v2's fromServer (price band, client-made tokens).
//   node demo/demo-smoke.mjs [--rows 3000] [--screenshots docs/screenshots]
// Exits 0 when every check passed. Everything it starts (demo, browser, temp dir) is stopped on exit.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { tsImport } from 'tsx/esm/api';

const { values } = parseArgs({ options: { rows: { type: 'string' }, screenshots: { type: 'string' } } });
const rows = Number(values.rows ?? 3000);
const shots = values.screenshots;
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

const dir = mkdtempSync(join(tmpdir(), 'idb-sync-demo-smoke-'));
const { startDemo } = await tsImport('./start-demo.ts', import.meta.url);
let demo;
let browser;
const started = performance.now();
const step = (text) => console.log(`[${((performance.now() - started) / 1000).toFixed(1)} s] ${text}`);
// Generous: the machine may be shared; a 100k-row run upgrades and resyncs 100k records twice.
const limitMs = 120_000 + rows * 3;
const watchdog = setTimeout(() => {
  console.error(`demo smoke: timed out after ${limitMs / 1000} s`);
  cleanup().finally(() => process.exit(1));
}, limitMs);

async function cleanup() {
  clearTimeout(watchdog);
  await browser?.close().catch(() => undefined);
  await demo?.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}

/** Waits until `state()` satisfies `predicate` (evaluated in the page), polling on animation frames. */
const until = (page, predicate, arg) =>
  page.waitForFunction(
    ([source, a]) => new Function('s', 'a', `return (${source})(s, a)`)(window.__demo.state(), a),
    [predicate.toString(), arg],
    { timeout: 30_000 + rows, polling: 'raf' },
  );

const shoot = async (page, name) => {
  if (shots !== undefined) await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
};

try {
  demo = await startDemo({ port: 0, serverPort: 0, dataDir: join(dir, 'data'), rows, log: step });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));

  await page.goto(demo.url);
  await page.waitForFunction(() => window.__demoReady !== undefined);
  await page.evaluate(() => window.__demoReady);
  if (shots !== undefined && rows >= 20_000) {
    // Big enough to catch the first full sync half way.
    await until(page, (s, n) => s.progress !== null && s.progress.done >= n / 3, rows);
    await shoot(page, 'demo-full-sync-progress');
  }
  await until(
    page,
    (s, n) =>
      // The store counts come from the page's last refresh, which can trail the run's status: wait for both.
      s.serviceTypeCount === n &&
      s.picker.total === n &&
      s.workOrders.length === 30 &&
      s.status === 'idle' &&
      s.lastRun?.outcome === 'ok',
    rows,
  );
  await page.waitForSelector('[data-testid="picker-row"]');
  let state = await page.evaluate(() => window.__demo.state());
  assert.equal(state.schemaVersion, 1);
  assert.equal(state.picker.rows.length, 20);
  assert.equal(state.picker.total, rows);
  assert.equal(state.workOrders.length, 30);
  step(`first sync: ${rows} service types, 30 work orders; transport ${state.transport}`);
  await until(page, (s) => s.transport === 'websocket');
  await shoot(page, 'demo-first-sync');

  // Keyword search through the UI.
  await page.fill('[data-testid="picker-search"]', 'boiler repair');
  await until(page, (s) => s.picker.query === 'boiler repair' && s.picker.rows.length > 0);
  state = await page.evaluate(() => window.__demo.state());
  assert.ok(state.picker.rows.every((r) => /boiler/i.test(r.name) && /repair/i.test(r.name)));
  step(`search "boiler repair": ${state.picker.rows.length} rows on the first page`);

  // A price range, the most expensive first, and the exact count, through the UI.
  await page.fill('[data-testid="picker-min-price"]', '100');
  await page.fill('[data-testid="picker-max-price"]', '400');
  await page.selectOption('[data-testid="picker-sort"]', 'price-desc');
  await until(
    page,
    (s) =>
      s.picker.sort === 'price-desc' &&
      s.picker.minPrice === 100 &&
      s.picker.maxPrice === 400 &&
      s.picker.rows.length > 0,
  );
  state = await page.evaluate(() => window.__demo.state());
  const ranged = state.picker;
  assert.ok(
    ranged.rows.every((r) => r.price >= 100 && r.price <= 400),
    'every row within the price range',
  );
  // Rows holding both words whole come first, each rank from the highest price down.
  const exact = (r) => /\bboiler\b/i.test(r.name) && /\brepair\b/i.test(r.name);
  const firstPrefix = ranged.rows.findIndex((r) => !exact(r));
  assert.ok(
    firstPrefix === -1 || ranged.rows.slice(firstPrefix).every((r) => !exact(r)),
    'whole words first',
  );
  for (const rank of [ranged.rows.filter(exact), ranged.rows.filter((r) => !exact(r))]) {
    assert.deepEqual(
      rank.map((r) => r.price),
      rank.map((r) => r.price).sort((a, b) => b - a),
      'by price, descending',
    );
  }
  assert.ok(ranged.total >= ranged.rows.length && ranged.total < state.serviceTypeCount);
  if (ranged.hasMore) {
    const next = await page.evaluate(() => window.__demo.searchServiceTypes({ page: 1 }));
    assert.ok(next.rows.length > 0 && next.total === ranged.total);
  }
  step(`"boiler repair", price 100–400, highest first: ${ranged.total} matches`);
  await page.fill('[data-testid="picker-min-price"]', '');
  await page.fill('[data-testid="picker-max-price"]', '');
  await page.selectOption('[data-testid="picker-sort"]', 'relevance');
  await until(
    page,
    (s) => s.picker.sort === 'relevance' && s.picker.minPrice === null && s.picker.maxPrice === null,
  );
  await page.click('[data-testid="picker-select"] >> nth=0');

  // Offline: create and edit work orders, nothing reaches the server until back online.
  await page.click('[data-testid="go-offline"]');
  await until(page, (s) => !s.online && s.transport === 'offline');
  await page.fill('[data-testid="wo-title"]', 'Replace boiler valve');
  await page.click('[data-testid="wo-save"]');
  await until(page, (s) => s.pending === 1 && s.workOrders.some((w) => w.title === 'Replace boiler valve'));
  const target = state.workOrders.at(-1).id;
  await page.evaluate((id) => window.__demo.editWorkOrder(id, { priority: 'urgent' }), target);
  await until(page, (s) => s.pending === 2);
  const offlineRun = await page.evaluate(() => window.__demo.syncNow());
  assert.equal(offlineRun.outcome, 'waiting');
  // The office edits the same field meanwhile.
  await page.evaluate((id) => window.__demo.serverEditWorkOrder(id, { priority: 'low' }), target);
  await shoot(page, 'demo-offline');
  step('offline: 2 pending writes, sync waits for the network');
  await page.click('[data-testid="go-online"]');
  await until(page, (s) => s.pending === 0 && s.conflicts.length === 1 && s.status === 'idle');
  state = await page.evaluate(() => window.__demo.state());
  assert.equal(state.conflicts[0].id, target);
  assert.equal(state.conflicts[0].result.priority, 'low');
  assert.equal(state.workOrders.find((w) => w.id === target).priority, 'low');
  step(
    `online: pushed, conflict on ${target} resolved (${state.conflicts[0].rule} → ${state.conflicts[0].winner})`,
  );
  await shoot(page, 'demo-conflict');

  // Schema v2 in a second tab while the first one stays on v1.
  const v2 = await context.newPage();
  v2.on('pageerror', (e) => errors.push(e.message));
  await v2.goto(new URL('/?schema=2', demo.url).href);
  await v2.evaluate(() => window.__demoReady);
  await until(page, (s) => s.newerVersion !== null);
  await page.waitForSelector('[data-testid="newer-version"]:not([hidden])');
  step('v1 tab: told a newer version is active');
  await until(v2, (s) => s.lastRun?.outcome === 'ok' && s.status === 'idle' && s.serviceTypeCount > 0);
  state = await v2.evaluate(() => window.__demo.state());
  assert.equal(state.schemaVersion, 2);
  // The upgrade touched service_types: its next run was a full sync (later runs are incremental).
  await until(v2, (s) => s.recentRuns.some((r) => r.outcome === 'ok' && r.modes.service_types === 'full'));
  const reports = await v2.evaluate(() => window.__demo.database.upgradeReports());
  assert.ok(reports.some((r) => r.toVersion === 2));
  await v2.evaluate(() => window.__demo.searchServiceTypes({ priceBand: 'budget' }));
  // A refresh after a run may finish after the search call: wait until the picker shows the filter.
  await until(
    v2,
    (s) =>
      s.picker.priceBand === 'budget' &&
      s.picker.total > 0 &&
      s.picker.rows.every((r) => r.priceBand === 'budget'),
  );
  const budget = (await v2.evaluate(() => window.__demo.state())).picker;
  step(`v2 tab: upgraded, full sync of service_types, ${budget.total} budget service types`);
  // A service type the server adds after the upgrade arrives through v2's fromServer: with its price
  // band and with the client's search tokens (the server only sends whole words: "quan" finds it).
  await demo.server.admin.putRecord('service_types', 'st-smoke-1', {
    id: 'st-smoke-1',
    code: 'ST-SMOKE-1',
    name: 'Quantum boiler repair',
    category: 'HVAC',
    subcategory: 'Boiler',
    tags: [],
    tokens: ['quantum', 'boiler', 'repair'],
    price: 42,
    unit: 'hour',
    durationMinutes: 60,
    active: true,
  });
  await v2.evaluate(() => window.__demo.syncNow());
  await v2.evaluate(() => window.__demo.searchServiceTypes({ query: 'quan boil' }));
  await until(v2, (s) => s.picker.query === 'quan boil' && s.picker.rows.length > 0);
  const pulled = (await v2.evaluate(() => window.__demo.state())).picker;
  assert.deepEqual(
    pulled.rows.map((r) => [r.id, r.priceBand]),
    [['st-smoke-1', 'budget']],
  );
  step('v2 tab: a service type added on the server afterwards is pulled with priceBand and search tokens');
  await shoot(v2, 'demo-schema-v2');
  await shoot(page, 'demo-newer-version');
  // The old tab reloads into v2 without hanging.
  await page.click('[data-testid="reload-newer"]');
  await page.waitForURL(/schema=2/);
  await page.evaluate(() => window.__demoReady);
  await until(page, (s) => s.schemaVersion === 2 && s.dbState === 'open');
  assert.deepEqual(errors, []);
  step('demo smoke passed');
  await cleanup();
  process.exit(0);
} catch (error) {
  console.error('demo smoke failed:', error);
  await cleanup();
  process.exit(1);
}
