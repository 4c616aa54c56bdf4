import { auditTime, merge, Subject, type Unsubscribable } from 'rxjs';
import { OfflineSwitch } from './offline-switch.js';
import {
  type DemoDatabase,
  type DemoSchema,
  demoCollections,
  demoDatabase,
  priceBandOf,
  type ServiceType,
  type WorkOrder,
} from './schema.js';
import {
  type ConnectionKind,
  createSyncClient,
  type DatabaseState,
  isIdbSyncError,
  type LiveSyncClient,
  type RunSummary,
  type StoreConflictLogEntry,
  type SyncProgress,
  type SyncStatus,
} from './sdk.js';
import {
  forgetCounts,
  type PickerSort,
  type SearchQuery,
  searchServiceTypes,
} from './service-type-search.js';

/** What `npm run demo` hands the page at `/demo-config.json` (or a test in `?config=`). */
export interface DemoConfig {
  readonly serverUrl: string;
  readonly token: string;
  readonly adminToken: string;
  readonly userId: string;
  /**
   * Path on the page's origin under which the server's `/v1` and `/admin` are reached. Default `''`
   * (Vite proxies them at the origin's root); the e2e harness proxies at `/proxy/<port>`.
   */
  readonly apiBase?: string;
}

export interface PickerState {
  query: string;
  category: string | null;
  priceBand: string | null;
  /** The price range shown (both ends included); `null`: open. */
  minPrice: number | null;
  maxPrice: number | null;
  sort: PickerSort;
  activeOnly: boolean;
  page: number;
  pageSize: number;
  /** Every match of the query (exact). */
  total: number;
  hasMore: boolean;
  rows: { id: string; code: string; name: string; category: string; price: number; priceBand?: string }[];
  selectedId: string | null;
}

/** Changes to the picker's query (`undefined` clears a filter). */
export type SearchChanges = {
  [K in Exclude<keyof SearchQuery, 'pageSize'>]?: SearchQuery[K] | undefined;
};

/** Everything the UI shows; `state()` of `window.__demo` is this as JSON. */
export interface DemoState {
  schemaVersion: 1 | 2;
  online: boolean;
  transport: ConnectionKind;
  status: SyncStatus;
  dbState: DatabaseState;
  /** Set while this version's database upgrade waits for another tab to close the old version. */
  upgradeBlocked: { code: 'UPGRADE_BLOCKED'; message: string } | null;
  progress: SyncProgress | null;
  lastRun: RunSummary | null;
  /** The last 10 runs, newest last: id, outcome and each collection's mode. */
  recentRuns: { runId: number; outcome: string; modes: Record<string, string> }[];
  pending: number;
  conflicts: Pick<
    StoreConflictLogEntry,
    'seq' | 'store' | 'id' | 'rule' | 'winner' | 'local' | 'remote' | 'result'
  >[];
  picker: PickerState;
  workOrders: Omit<WorkOrder, '_rev'>[];
  serviceTypeCount: number;
  newerVersion: { reloadRequired: true } | null;
  lastError: string | null;
}

const describeError = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/** The demo app: one database, one live sync client (one call), and the UI state. */
export class DemoApp {
  readonly database: DemoDatabase;
  readonly client: LiveSyncClient<DemoSchema>;
  readonly offline = new OfflineSwitch();
  readonly state: DemoState;
  /** Emits when the state changed (the page re-renders). */
  readonly changed$ = new Subject<void>();
  readonly #config: DemoConfig;
  readonly #subscriptions: Unsubscribable[] = [];
  #closed = false;
  #searchSeq = 0;
  /** What the latest search asked for: a search started meanwhile (a refresh) keeps it, not the shown state. */
  #asked:
    | Pick<
        PickerState,
        'query' | 'category' | 'priceBand' | 'minPrice' | 'maxPrice' | 'sort' | 'activeOnly' | 'page'
      >
    | undefined;

  constructor(config: DemoConfig, schemaVersion: 1 | 2) {
    this.#config = config;
    this.database = demoDatabase(schemaVersion);
    // Same origin: Vite proxies /v1 (and its SSE and WebSocket) to the reference server.
    const baseUrl = `${globalThis.location.origin}${config.apiBase ?? ''}`;
    this.client = createSyncClient({
      database: this.database,
      url: baseUrl,
      getToken: () => config.token,
      // service_types derive search tokens (and, in v2, the price band) from what the server sends.
      collections: demoCollections(schemaVersion),
      retry: { maxMs: 15_000 },
      // The "go offline" switch: the client pauses its channel and its requests fail as offline ones do.
      environment: this.offline.environment,
      transports: { fetch: this.offline.fetch, pollIntervalMs: 15_000 },
    });
    this.state = {
      schemaVersion,
      online: true,
      transport: 'offline',
      status: 'idle',
      dbState: 'closed',
      upgradeBlocked: null,
      progress: null,
      lastRun: null,
      recentRuns: [],
      pending: 0,
      conflicts: [],
      picker: {
        query: '',
        category: null,
        priceBand: null,
        minPrice: null,
        maxPrice: null,
        sort: 'relevance',
        activeOnly: false,
        page: 0,
        pageSize: 20,
        total: 0,
        hasMore: false,
        rows: [],
        selectedId: null,
      },
      workOrders: [],
      serviceTypeCount: 0,
      newerVersion: null,
      lastError: null,
    };
  }

  /** Subscribes to the SDK's observables and starts background sync. */
  async start(): Promise<void> {
    const s = this.state;
    const emit = () => this.changed$.next();
    this.#subscriptions.push(
      this.client.connection$.subscribe((kind) => {
        s.transport = kind;
        emit();
      }),
      this.offline.online$.subscribe((online) => {
        s.online = online;
        emit();
      }),
      this.client.status$.subscribe((status) => {
        s.status = status;
        emit();
      }),
      this.database.state$.subscribe((state) => {
        s.dbState = state;
        // The blocked upgrade went through once the other tab let go: say so and sync what waited.
        if (state === 'open' && s.upgradeBlocked !== null) this.#upgradeUnblocked();
        emit();
      }),
      this.client.progress$.subscribe((progress) => {
        s.progress = progress;
        // Pages of a full sync land in the picker's store: show the count growing.
        s.serviceTypeCount = progress.collection === 'service_types' ? progress.done : s.serviceTypeCount;
        emit();
      }),
      this.client.runs$.subscribe((run) => {
        s.lastRun = run;
        const modes = Object.fromEntries(run.collections.map((c) => [c.collection, c.mode]));
        s.recentRuns = [...s.recentRuns, { runId: run.runId, outcome: run.outcome, modes }].slice(-10);
        s.progress = null;
        s.lastError = run.error === undefined ? null : `${run.error.code}: ${run.error.message}`;
        if (run.error?.code === 'UPGRADE_BLOCKED') this.#upgradeBlocked(run.error.message);
        emit();
      }),
      this.client.errors$.subscribe((error) => {
        s.lastError = describeError(error);
        emit();
      }),
      this.database.events$.subscribe((event) => {
        if (event.type === 'versionchange' && event.reloadRequired) this.#newerVersion();
      }),
      // Coalesce bursts (a page of 1000 changes) into one re-read of lists and counts.
      merge(this.database.changes$, this.client.runs$, this.client.conflicts$)
        .pipe(auditTime(150))
        .subscribe(() => void this.refresh()),
    );
    // Side by side, so that a blocked upgrade fails the first read and the first run after one
    // `blockedTimeoutMs`, not one after the other.
    await Promise.all([this.refresh(), this.client.start()]);
  }

  /** The typed blocked state (`UPGRADE_BLOCKED`), unless the database opened meanwhile. */
  #upgradeBlocked(message: string): void {
    if (this.state.dbState !== 'open') this.state.upgradeBlocked = { code: 'UPGRADE_BLOCKED', message };
  }

  #upgradeUnblocked(): void {
    if (this.#closed) return;
    this.state.upgradeBlocked = null;
    this.state.lastError = null;
    void this.refresh();
    this.#enqueueSync();
  }

  #enqueueSync(): void {
    this.client.sync().catch((error: unknown) => {
      this.state.lastError = describeError(error);
      this.changed$.next();
    });
  }

  /** Another tab runs a newer app version: stop syncing and offer a reload. */
  #newerVersion(): void {
    if (this.state.newerVersion !== null) return;
    this.state.newerVersion = { reloadRequired: true };
    this.changed$.next();
    void this.client.close();
  }

  /** Re-reads what the UI shows from IndexedDB. */
  async refresh(): Promise<void> {
    if (this.state.newerVersion !== null) return;
    try {
      const [orders, count, pending, conflicts] = await Promise.all([
        this.database.getAll('work_orders'),
        this.database.count('service_types'),
        this.client.pendingWrites(),
        this.client.conflictLog(),
      ]);
      const s = this.state;
      s.workOrders = orders
        .map(({ _rev, ...order }) => order)
        .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
      s.serviceTypeCount = count;
      s.pending = pending;
      s.conflicts = conflicts
        .slice(-50)
        .reverse()
        .map(({ seq, store, id, rule, winner, local, remote, result }) => ({
          seq,
          store,
          id,
          rule,
          winner,
          // Shown field by field, whatever the store's record type.
          local: local as Record<string, unknown> | null,
          remote: remote as Record<string, unknown> | null,
          result: result as Record<string, unknown> | null,
        }));
      // Records may have come and gone: count the picker's query again.
      forgetCounts(this.database);
      await this.search({});
    } catch (error) {
      this.#failed(error);
    }
    this.changed$.next();
  }

  /** Runs the picker's search with `changes` applied to its current query. */
  async search(changes: SearchChanges): Promise<PickerState> {
    // The state changes only with the results, so what it shows always belongs together.
    const p = { ...this.state.picker, ...this.#asked };
    const seq = ++this.#searchSeq;
    if ('query' in changes) p.query = changes.query ?? '';
    if ('category' in changes) p.category = changes.category ?? null;
    if ('priceBand' in changes) p.priceBand = changes.priceBand ?? null;
    if ('activeOnly' in changes) p.activeOnly = changes.activeOnly ?? false;
    if ('minPrice' in changes) p.minPrice = changes.minPrice ?? null;
    if ('maxPrice' in changes) p.maxPrice = changes.maxPrice ?? null;
    if ('sort' in changes) p.sort = changes.sort ?? 'relevance';
    // A new filter starts on the first page; an explicit page wins.
    p.page = changes.page ?? (Object.keys(changes).length > 0 ? 0 : p.page);
    const { query: text, category, priceBand, minPrice, maxPrice, sort, activeOnly, page } = p;
    this.#asked = { query: text, category, priceBand, minPrice, maxPrice, sort, activeOnly, page };
    const query: SearchQuery = {
      query: p.query,
      page: p.page,
      pageSize: p.pageSize,
      activeOnly: p.activeOnly,
      sort: p.sort,
      ...(p.minPrice === null ? {} : { minPrice: p.minPrice }),
      ...(p.maxPrice === null ? {} : { maxPrice: p.maxPrice }),
      ...(p.category === null ? {} : { category: p.category }),
      ...(p.priceBand === null || this.state.schemaVersion < 2
        ? {}
        : { priceBand: p.priceBand as NonNullable<SearchQuery['priceBand']> }),
    };
    try {
      const result = await searchServiceTypes(this.database, query, {
        hasPriceBand: this.state.schemaVersion === 2,
      });
      p.rows = result.rows.map((st: ServiceType) => ({
        id: st.id,
        code: st.code,
        name: st.name,
        category: st.category,
        price: st.price,
        ...(this.state.schemaVersion === 2 ? { priceBand: st.priceBand ?? priceBandOf(st.price) } : {}),
      }));
      p.total = result.total;
      p.hasMore = result.hasMore;
      // Only the latest search may show; the selection may have changed while it ran.
      if (seq === this.#searchSeq) this.state.picker = { ...p, selectedId: this.state.picker.selectedId };
    } catch (error) {
      this.#failed(error);
    }
    this.changed$.next();
    return this.state.picker;
  }

  selectServiceType(id: string | null): void {
    this.state.picker.selectedId = id;
    this.changed$.next();
  }

  goOffline(): void {
    this.offline.set(false);
  }

  goOnline(): Promise<RunSummary> {
    this.offline.set(true);
    return this.client.sync();
  }

  syncNow(): Promise<RunSummary> {
    return this.client.sync();
  }

  redSync(): Promise<RunSummary> {
    return this.client.sync({ red: true });
  }

  fullSync(): Promise<RunSummary> {
    return this.client.sync({ full: true });
  }

  /** Creates a work order: the database handle stores it and queues it for the server in one transaction. */
  async createWorkOrder(fields: Partial<Omit<WorkOrder, 'id' | 'updatedAt'>> = {}): Promise<string> {
    const id = `wo-${crypto.randomUUID().slice(0, 8)}`;
    const order: WorkOrder = {
      id,
      title: fields.title ?? 'New work order',
      status: fields.status ?? 'open',
      priority: fields.priority ?? 'normal',
      ...(fields.serviceTypeId === undefined ? {} : { serviceTypeId: fields.serviceTypeId }),
      ...(fields.customerId === undefined ? {} : { customerId: fields.customerId }),
      ...(fields.notes === undefined ? {} : { notes: fields.notes }),
      updatedAt: new Date().toISOString(),
    };
    await this.database.put('work_orders', order);
    await this.refresh();
    return id;
  }

  /** Merges `patch` into the stored work order and writes it (synced, like every write of a transactional store). */
  async editWorkOrder(id: string, patch: Partial<Omit<WorkOrder, 'id'>>): Promise<void> {
    const current = await this.database.get('work_orders', id);
    if (current === undefined) throw new Error(`No work order ${id}`);
    await this.database.put('work_orders', { ...current, ...patch, id, updatedAt: new Date().toISOString() });
    await this.refresh();
  }

  /** Edits a work order on the server, as the office would (admin API through the proxy). */
  async serverEditWorkOrder(id: string, patch: Partial<Omit<WorkOrder, 'id'>>): Promise<string> {
    const current = await this.database.get('work_orders', id);
    if (current === undefined) throw new Error(`No work order ${id}`);
    const { _rev, ...rest } = current;
    const apiBase = this.#config.apiBase ?? '';
    const response = await fetch(`${apiBase}/admin/records/work_orders/${encodeURIComponent(id)}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${this.#config.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ value: { ...rest, ...patch, id }, owner: this.#config.userId }),
    });
    if (!response.ok) throw new Error(`The server refused the edit (${response.status})`);
    return ((await response.json()) as { rev: string }).rev;
  }

  async clearConflicts(): Promise<void> {
    await this.client.clearConflictLog();
    await this.refresh();
  }

  /** Cleans up (used when the page unloads). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#subscriptions) s.unsubscribe();
    await this.client.close();
    await this.database.close();
  }

  #failed(error: unknown): void {
    if (isIdbSyncError(error, 'DATABASE_VERSION_TOO_OLD')) {
      // This code is older than the database (a newer tab upgraded it): offer the reload.
      this.#newerVersion();
      return;
    }
    // The SDK's stable code (UpgradeBlockedError): another tab keeps the old version open.
    if ((error as { code?: unknown } | null)?.code === 'UPGRADE_BLOCKED') {
      this.#upgradeBlocked((error as Error).message);
    }
    this.state.lastError = describeError(error);
  }
}
