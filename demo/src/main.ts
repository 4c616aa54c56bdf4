// The demo page: wires the DOM to DemoApp and exposes `window.__demo` (see demo/README.md).
import { auditTime, fromEvent, map, Subject } from 'rxjs';
import { SERVICE_CATEGORIES } from '../../server/seed-categories.js';
import { DemoApp, type DemoConfig, type DemoState } from './demo-app.js';
import { byTestId, render } from './render.js';
import { chooseSchemaVersion, type WorkOrder } from './schema.js';
import { PICKER_SORTS } from './service-type-search.js';

/**
 * The page's configuration: `?config=<JSON>` when a test gives one (its server sits elsewhere),
 * else what `npm run demo` serves at `/demo-config.json`.
 */
async function loadConfig(): Promise<DemoConfig> {
  const inline = new URLSearchParams(location.search).get('config');
  if (inline !== null) return JSON.parse(inline) as DemoConfig;
  return (await fetch('/demo-config.json').then((r) => r.json())) as DemoConfig;
}

async function main() {
  const config = await loadConfig();
  const schemaVersion = chooseSchemaVersion(location, globalThis.localStorage);
  const app = new DemoApp(config, schemaVersion);
  let editingId: string | null = null;
  const rendered$ = new Subject<void>();
  const paint = () => {
    render(app.state, editingId);
    rendered$.next();
  };
  // Rendering is cheap but progress events come per page: paint at most once a frame or so.
  app.changed$.pipe(auditTime(30)).subscribe(paint);

  const category = byTestId<HTMLSelectElement>('picker-category');
  for (const name of SERVICE_CATEGORIES) category.append(new Option(name, name));
  const report = (work: Promise<unknown>) =>
    work.catch((error: unknown) => {
      app.state.lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      paint();
    });
  const on = (id: string, action: () => unknown) =>
    byTestId(id).addEventListener('click', () => void report(Promise.resolve().then(action)));

  on('go-offline', () => app.goOffline());
  on('go-online', () => app.goOnline());
  on('sync-now', () => app.syncNow());
  on('red-sync', () => app.redSync());
  on('full-sync', () => app.fullSync());
  on('retry-skipped', () => app.retrySkipped());
  on('load-schema-v2', () => loadSchemaV2());
  on('reload-newer', () => loadSchemaV2());
  on('clear-conflicts', () => app.clearConflicts());
  on('picker-prev', () => app.search({ page: Math.max(0, app.state.picker.page - 1) }));
  on('picker-next', () => app.search({ page: app.state.picker.page + 1 }));

  // Search as you type, once the typing pauses.
  fromEvent(byTestId<HTMLInputElement>('picker-search'), 'input')
    .pipe(
      map((e) => (e.target as HTMLInputElement).value),
      auditTime(200),
    )
    .subscribe((query) => void report(app.search({ query })));
  byTestId('picker-form').addEventListener('submit', (e) => e.preventDefault());
  category.addEventListener(
    'change',
    () => void report(app.search({ category: category.value || undefined })),
  );
  const band = byTestId<HTMLSelectElement>('picker-price-band');
  band.addEventListener('change', () => {
    const value = band.value;
    void report(
      app.search(
        value === 'budget' || value === 'standard' || value === 'premium'
          ? { priceBand: value }
          : { priceBand: undefined },
      ),
    );
  });
  for (const [id, bound] of [
    ['picker-min-price', 'minPrice'],
    ['picker-max-price', 'maxPrice'],
  ] as const) {
    fromEvent(byTestId<HTMLInputElement>(id), 'input')
      .pipe(
        map((e) => (e.target as HTMLInputElement).value.trim()),
        auditTime(200),
      )
      .subscribe((value) => {
        const price = value === '' ? undefined : Number(value);
        void report(app.search({ [bound]: Number.isFinite(price) ? price : undefined }));
      });
  }
  const sort = byTestId<HTMLSelectElement>('picker-sort');
  sort.addEventListener('change', () => {
    const value = PICKER_SORTS.find((s) => s === sort.value) ?? 'relevance';
    void report(app.search({ sort: value }));
  });
  const activeOnly = byTestId<HTMLInputElement>('picker-active-only');
  activeOnly.addEventListener('change', () => void report(app.search({ activeOnly: activeOnly.checked })));
  byTestId('picker-rows').addEventListener('click', (e) => {
    const button = (e.target as HTMLElement).closest<HTMLElement>('[data-testid="picker-select"]');
    if (button?.dataset.id !== undefined) app.selectServiceType(button.dataset.id);
  });

  // The work order form: create, or edit the row picked with its Edit button.
  const form = byTestId<HTMLFormElement>('wo-form');
  const title = byTestId<HTMLInputElement>('wo-title');
  const priority = byTestId<HTMLSelectElement>('wo-priority');
  const status = byTestId<HTMLSelectElement>('wo-status');
  const notes = byTestId<HTMLTextAreaElement>('wo-notes');
  const resetForm = () => {
    editingId = null;
    form.reset();
    app.selectServiceType(null);
  };
  byTestId('wo-rows').addEventListener('click', (e) => {
    const button = (e.target as HTMLElement).closest<HTMLElement>('[data-testid="wo-edit"]');
    const order = app.state.workOrders.find((wo) => wo.id === button?.dataset.id);
    if (order === undefined) return;
    editingId = order.id;
    title.value = order.title;
    priority.value = order.priority;
    status.value = order.status;
    notes.value = order.notes ?? '';
    app.selectServiceType(order.serviceTypeId ?? null);
    title.focus();
  });
  on('wo-cancel-edit', resetForm);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const fields: Partial<WorkOrder> = {
      title: title.value.trim() || 'Untitled',
      priority: priority.value,
      status: status.value,
      notes: notes.value,
      ...(app.state.picker.selectedId === null ? {} : { serviceTypeId: app.state.picker.selectedId }),
    };
    const id = editingId;
    void report((id === null ? app.createWorkOrder(fields) : app.editWorkOrder(id, fields)).then(resetForm));
  });

  const loadSchemaV2 = () => {
    const url = new URL(location.href);
    url.searchParams.set('schema', '2');
    location.assign(url.href);
  };
  addEventListener('pagehide', () => void app.close());

  const handle = {
    client: app.client,
    database: app.database,
    schemaVersion,
    goOffline: () => app.goOffline(),
    goOnline: () => app.goOnline(),
    syncNow: () => app.syncNow(),
    redSync: () => app.redSync(),
    fullSync: () => app.fullSync(),
    retrySkipped: () => app.retrySkipped(),
    loadSchemaV2,
    createWorkOrder: (fields?: Partial<Omit<WorkOrder, 'id' | 'updatedAt'>>) => app.createWorkOrder(fields),
    editWorkOrder: (id: string, patch: Partial<Omit<WorkOrder, 'id'>>) => app.editWorkOrder(id, patch),
    serverEditWorkOrder: (id: string, patch: Partial<Omit<WorkOrder, 'id'>>) =>
      app.serverEditWorkOrder(id, patch),
    searchServiceTypes: (query: Parameters<DemoApp['search']>[0]) => app.search(query),
    whenIdle: async () => {
      await app.client.whenIdle();
      await app.refresh();
    },
    refresh: () => app.refresh(),
    state: (): DemoState => JSON.parse(JSON.stringify(app.state)) as DemoState,
    /** Emits after each paint: the DOM then shows `state()`. */
    rendered$: rendered$.asObservable(),
  };
  (globalThis as { __demo?: typeof handle }).__demo = handle;
  paint();
  await app.start();
  paint();
  return handle;
}

/** `window.__demo`: the automation handle (see demo/README.md). */
export type DemoHandle = Awaited<ReturnType<typeof main>>;

(globalThis as { __demoReady?: Promise<unknown> }).__demoReady = main().catch((error: unknown) => {
  console.error(error);
  const message = byTestId('last-error');
  message.textContent = `The demo failed to start: ${error instanceof Error ? error.message : String(error)}`;
  throw error;
});
