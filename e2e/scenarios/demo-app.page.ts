// In-page side of the demo scenarios (their `demo: true, page: 'demo-app'`): loaded into the real
// demo page, it drives the app through `window.__demo` (demo/README.md) and reads what the page
// shows from its DOM, by data-testid. Every answer is JSON.
import { filter, firstValueFrom, from, startWith, timeout } from 'rxjs';
import type { DemoHandle } from '../../demo/src/main.js';
import { DATABASE_NAME } from '../../demo/src/schema.js';

declare global {
  interface Window {
    __demo?: DemoHandle;
    __demoReady?: Promise<unknown>;
  }
}

/** The demo's handle, once the page finished its first render. */
async function demo(): Promise<DemoHandle> {
  await window.__demoReady;
  if (!window.__demo) throw new Error('the demo page set no window.__demo');
  return window.__demo;
}

function element(testId: string): HTMLElement {
  const found = document.querySelector<HTMLElement>(`[data-testid="${testId}"]`);
  if (found === null) throw new Error(`the demo page has no data-testid="${testId}"`);
  return found;
}

const text = (testId: string) => element(testId).textContent?.trim() ?? '';

/**
 * Waits until `check` holds after a paint of the page (or already holds), at most `timeoutMs`;
 * answers with the time waited. Checks run on the DOM as painted, not on the app's state alone.
 */
async function until(what: string, check: (app: DemoHandle) => boolean, timeoutMs: number) {
  const app = await demo();
  const started = performance.now();
  await firstValueFrom(
    from(app.rendered$).pipe(
      startWith(undefined),
      filter(() => check(app)),
      timeout({
        first: timeoutMs,
        with: () => {
          throw new Error(
            `the demo did not show ${what} within ${timeoutMs} ms: ${JSON.stringify(app.state())}`,
          );
        },
      }),
    ),
  );
  return { ms: Math.round(performance.now() - started) };
}

/** The page's state (`window.__demo.state()`). */
export async function state() {
  return (await demo()).state();
}

/**
 * Waits for the first sync to be shown: idle after an ok run, with `serviceTypes` service types and
 * `workOrders` work orders listed.
 */
export function untilSynced(serviceTypes: number, workOrders: number, timeoutMs = 30_000) {
  return until(
    `a finished sync of ${serviceTypes} service types and ${workOrders} work orders`,
    (app) => {
      const s = app.state();
      return (
        s.status === 'idle' &&
        s.lastRun?.outcome === 'ok' &&
        s.serviceTypeCount === serviceTypes &&
        element('wo-count').textContent === String(workOrders)
      );
    },
    timeoutMs,
  );
}

/** Waits until the sync panel shows the status idle with nothing pending. */
export function untilIdle(timeoutMs = 30_000) {
  return until(
    'idle with no pending writes',
    () => text('sync-status') === 'idle' && text('pending-count') === '0',
    timeoutMs,
  );
}

export async function goOffline() {
  (await demo()).goOffline();
}

/** Back online; answers with the push counts of the sync that follows. */
export async function goOnline() {
  const run = await (await demo()).goOnline();
  return { outcome: run.outcome, push: run.push };
}

/** "Sync now"; answers with the run's outcome and push counts. */
export async function syncNow() {
  const run = await (await demo()).syncNow();
  return { outcome: run.outcome, push: run.push, error: run.error ?? null };
}

export async function editWorkOrder(id: string, patch: { title?: string; notes?: string }) {
  await (await demo()).editWorkOrder(id, patch);
}

/** The stored work orders, `_rev` included, in key order (what IndexedDB holds, not the list shown). */
export async function storedWorkOrders() {
  return (await (await demo()).database.getAll('work_orders')) as unknown as Record<string, unknown>[];
}

/** The SDK's conflict log. */
export async function conflictLog() {
  return (await demo()).client.conflictLog();
}

/** Waits until the conflict panel lists `count` entries. */
export function untilConflicts(count: number, timeoutMs = 15_000) {
  return until(
    `${count} conflict(s) in the panel`,
    () => text('conflict-count') === String(count),
    timeoutMs,
  );
}

/** The conflict panel as painted: each row's record, winner and its Local / Remote / Result cells. */
export function conflictPanel() {
  const rows = [...document.querySelectorAll<HTMLTableRowElement>('[data-testid="conflict-row"]')];
  return {
    count: text('conflict-count'),
    rows: rows.map((row) => {
      const cells = [...row.cells].map((cell) => cell.textContent ?? '');
      return {
        id: row.dataset.id ?? '',
        winner: row.dataset.winner ?? '',
        record: cells[0] ?? '',
        rule: cells[1] ?? '',
        local: cells[2] ?? '',
        remote: cells[3] ?? '',
        result: cells[4] ?? '',
      };
    }),
  };
}

/** Scrolls the element `testId` into view (for the screenshot). */
export function scrollTo(testId: string) {
  element(testId).scrollIntoView({ block: 'center' });
}

/** Waits until the page shows the typed blocked state: the banner with its code, statuses blocked. */
export function untilUpgradeBlocked(timeoutMs: number) {
  return until(
    'the UPGRADE_BLOCKED banner',
    () => !element('upgrade-blocked').hidden && text('sync-status') === 'blocked',
    timeoutMs,
  );
}

/** Waits until the page shows the database open on `version`, the blocked banner gone, synced. */
export function untilUpgraded(version: number, timeoutMs = 30_000) {
  return until(
    `schema v${version} open and synced`,
    (app) =>
      element('upgrade-blocked').hidden &&
      text('schema-version') === String(version) &&
      text('db-state') === 'open' &&
      text('sync-status') === 'idle' &&
      app.state().lastRun?.outcome === 'ok',
    timeoutMs,
  );
}

/** What the sync panel and the banners say, as painted. */
export function statusPanel() {
  const banner = element('upgrade-blocked');
  return {
    schemaVersion: text('schema-version'),
    syncStatus: text('sync-status'),
    dbState: text('db-state'),
    lastError: text('last-error'),
    upgradeBlocked: {
      visible: !banner.hidden,
      role: banner.getAttribute('role'),
      code: text('upgrade-blocked-code'),
      message: text('upgrade-blocked-message'),
    },
    newerVersionVisible: !element('newer-version').hidden,
  };
}

/**
 * Clicks the button `testId` after this call has answered: for a button that navigates (its page
 * goes away, so the call must not wait for it). Follow with `tab.awaitNavigation(...)`.
 */
export function clickSoon(testId: string) {
  const button = element(testId);
  if (!(button instanceof HTMLButtonElement) || button.disabled)
    throw new Error(`${testId} is not clickable`);
  setTimeout(() => button.click(), 50);
}

let held: IDBDatabase | undefined;

/**
 * Opens the demo's database with raw IndexedDB and ignores `versionchange`: a tab that never lets
 * go, so any upgrade stays blocked until {@link releaseRawConnection}.
 */
export function holdRawConnection() {
  return new Promise<{ version: number }>((resolve, reject) => {
    const request = indexedDB.open(DATABASE_NAME);
    request.onsuccess = () => {
      held = request.result;
      resolve({ version: held.version });
    };
    request.onerror = () => reject(request.error);
  });
}

export function releaseRawConnection() {
  held?.close();
  held = undefined;
}
