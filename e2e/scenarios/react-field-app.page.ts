// In-page side of the `react-*` scenarios: renders the React example (examples/react-field-app's
// `FieldApp`, on `idb-sync/react`) under StrictMode, and drives it through its DOM as a user would:
// what the scenarios check is what the components render.

import { createElement, StrictMode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { firstValueFrom, from } from 'rxjs';
import { FieldApp } from '../../examples/react-field-app/src/app.js';
import { createFieldApp, type FieldClient, type FieldDatabase } from '../../examples/shared/field-app.js';

interface Mounted {
  readonly db: FieldDatabase;
  readonly client: FieldClient;
  readonly root: Root;
}
let app: Mounted | undefined;

function current(): Mounted {
  if (app === undefined) throw new Error('openApp first');
  return app;
}

/**
 * Resolves with `read()` once `done` holds for it, re-reading after each DOM change; rejects after
 * `timeoutMs` with the last value read.
 */
function untilDom<T>(
  read: () => T,
  done: (value: T) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const value = read();
      if (!done(value)) return false;
      observer.disconnect();
      clearTimeout(timer);
      resolve(value);
      return true;
    };
    const observer = new MutationObserver(() => void check());
    const timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error(`${what}: still ${JSON.stringify(read())} after ${timeoutMs} ms`));
    }, timeoutMs);
    observer.observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
    });
    check();
  });
}

const byTestId = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);

/** The work orders as the list shows them: `id title`. */
export function shownOrders(): string[] {
  return [...document.querySelectorAll<HTMLElement>('[data-testid="work-orders"] li')].map(
    (li) => `${li.dataset.id} ${li.querySelector('.title')?.textContent ?? '(editing)'}`,
  );
}

/** Renders the React field app against the reference server at `serverPath` (on this origin). */
export function openApp(config: { dbName: string; serverPath: string; token: string }) {
  const { db, client } = createFieldApp({
    dbName: config.dbName,
    serverUrl: `${location.origin}${config.serverPath}`,
    token: config.token,
    // The e2e static server proxies HTTP and SSE, not WebSocket upgrades.
    transports: { websocket: false },
  });
  const host = document.createElement('div');
  document.body.append(host);
  const root = createRoot(host);
  root.render(createElement(StrictMode, null, createElement(FieldApp, { db, client })));
  app = { db, client, root };
  void client.start();
}

/** Waits until the list shows `count` work orders; answers with them. */
export function untilOrderCount(count: number) {
  return untilDom(shownOrders, (orders) => orders.length === count, `${count} work orders`);
}

/** Waits until the list shows work order `id` with `title`; answers with the whole list. */
export function untilOrderTitle(id: string, title: string) {
  return untilDom(shownOrders, (orders) => orders.includes(`${id} ${title}`), `${id} titled ${title}`);
}

/** Waits until the sync panel shows `count` writes not synced yet. */
export function untilPending(count: number) {
  return untilDom(
    () => byTestId('pending')?.textContent ?? null,
    (text) => text === String(count),
    `${count} pending`,
  );
}

/** Edits a work order's title through the list's form (Edit, type, Save), as a user does. */
export async function editTitle(id: string, title: string) {
  const item = document.querySelector<HTMLElement>(`[data-testid="work-orders"] li[data-id="${id}"]`);
  if (item === null) throw new Error(`no work order ${id} in the list`);
  item.querySelector<HTMLButtonElement>('button.edit')?.click();
  const input = await untilDom(
    () => item.querySelector<HTMLInputElement>('input[name="title"]'),
    (found) => found !== null,
    'the title field',
  );
  if (input === null) throw new Error('unreachable');
  // React listens to the native setter's input event (a plain `value =` is swallowed by its tracker).
  Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set?.call(input, title);
  input.dispatchEvent(new Event('input', { bubbles: true }));
  item.querySelector<HTMLButtonElement>('button[type="submit"]')?.click();
  return untilOrderTitle(id, title);
}

/** Clicks "Sync now" and answers with the summary of the next run that ends. */
export async function syncNow() {
  const { client } = current();
  const ended = firstValueFrom(from(client.runs$));
  byTestId('sync-now')?.click();
  const run = await ended;
  return { outcome: run.outcome, push: run.push };
}

/** Unmounts the app and closes its client and database. */
export async function closeApp() {
  const { db, client, root } = current();
  root.unmount();
  await client.close();
  await db.close();
  app = undefined;
}
