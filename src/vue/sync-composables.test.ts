import { mount, type VueWrapper } from '@vue/test-utils';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { defineComponent, h, type PropType, type VNodeChild } from 'vue';
import {
  countSubscriptions,
  type FieldDatabase,
  type FieldFixture,
  type FieldSchema,
  startFieldFixture,
} from '../../test/bindings/field-app.js';
import type { LiveSyncClient } from '../sync/sync-client-api.js';
import { useConflictLog } from './use-conflict-log.js';
import { useDatabaseStatus } from './use-database-status.js';
import { useLiveQuery } from './use-live-query.js';
import { usePendingWrites } from './use-pending-writes.js';
import { useSkippedRecords } from './use-skipped-records.js';
import { useConnection, useLastRun, useSyncProgress, useSyncStatus } from './use-sync-state.js';

let fx: FieldFixture;
const mounted: VueWrapper[] = [];
beforeAll(async () => {
  fx = await startFieldFixture();
});
afterEach(async () => {
  for (const wrapper of mounted.splice(0)) wrapper.unmount();
  await fx.closeApps();
});
afterAll(async () => {
  await fx?.close();
});

const appProps = {
  db: { type: Object as PropType<FieldDatabase>, required: true },
  client: { type: Object as PropType<LiveSyncClient<FieldSchema>>, required: true },
} as const;

/** The sync panel of the field app: every sync composable at once. */
const SyncPanel = defineComponent({
  props: { ...appProps, progressSeen: { type: Array as PropType<string[]>, default: undefined } },
  setup(props) {
    const status = useSyncStatus(props.client);
    const connection = useConnection(props.client);
    const progress = useSyncProgress(props.client);
    const run = useLastRun(props.client);
    const { data: pending, isLoading } = usePendingWrites(props.client, props.db);
    const database = useDatabaseStatus(props.db);
    return () => {
      const p = progress.value;
      const progressText = p === null ? 'none' : `${p.mode} ${p.collection} ${p.done}`;
      props.progressSeen?.push(progressText);
      const r = run.value;
      return h('dl', [
        h('dd', { 'data-testid': 'status' }, status.value),
        h('dd', { 'data-testid': 'connection' }, connection.value),
        h('dd', { 'data-testid': 'progress' }, progressText),
        h('dd', { 'data-testid': 'last-run' }, r === null ? 'none' : `${r.outcome} pushed ${r.push.applied}`),
        h('dd', { 'data-testid': 'pending' }, isLoading.value ? '…' : String(pending.value)),
        h('dd', { 'data-testid': 'db-state' }, database.value.state),
      ]);
    };
  },
});

const ConflictList = defineComponent({
  props: { ...appProps, testId: { type: String, required: true } },
  setup(props) {
    const { data, clear } = useConflictLog(props.client, props.db, 'work_orders');
    return () =>
      h('section', [
        h(
          'p',
          { 'data-testid': props.testId },
          data.value === undefined
            ? '…'
            : data.value.map((e) => `${e.id} ${e.winner} ${e.remote?.title}`).join(';') || 'empty',
        ),
        h('button', { 'data-testid': `${props.testId}-clear`, onClick: () => void clear() }, 'Clear'),
      ]);
  },
});

const SkippedList = defineComponent({
  props: { client: appProps.client },
  setup(props) {
    const { data, retry } = useSkippedRecords(props.client, 'service_types');
    return () =>
      h('section', [
        h(
          'p',
          { 'data-testid': 'skipped' },
          data.value === undefined ? '…' : data.value.map((r) => `${r.id} ${r.reason}`).join(';') || 'empty',
        ),
        h('button', { 'data-testid': 'skipped-retry', onClick: () => void retry() }, 'Retry'),
      ]);
  },
});

const OrderList = defineComponent({
  props: { db: appProps.db },
  setup(props) {
    const { data } = useLiveQuery(props.db, ['work_orders'], async (tx) =>
      (await tx.objectStore('work_orders').getAll()).filter(
        (o) => o.status === 'open' && o.id.startsWith('dev-'),
      ),
    );
    return () =>
      h(
        'p',
        { 'data-testid': 'orders' },
        data.value === undefined ? '…' : data.value.map((o) => o.title).join(';') || 'none',
      );
  },
});

function show(render: () => VNodeChild): VueWrapper {
  const wrapper = mount(defineComponent({ setup: () => render }));
  mounted.push(wrapper);
  return wrapper;
}

const text = (view: VueWrapper, testId: string) => view.get(`[data-testid="${testId}"]`).text();

it('shows a local write as pending until a run pushes it, with the run, the status and the connection', async () => {
  const { db, client } = fx.app();
  const view = show(() => h(SyncPanel, { db, client }));
  await vi.waitFor(() => expect(text(view, 'pending')).toBe('0'));
  expect(text(view, 'status')).toBe('idle');
  expect(text(view, 'connection')).toBe('offline');
  expect(text(view, 'last-run')).toBe('none');
  expect(text(view, 'db-state')).toBe('open');

  await db.put('work_orders', { id: 'wo-1', title: 'Replace pump', status: 'open' });
  await vi.waitFor(() => expect(text(view, 'pending')).toBe('1'));

  expect((await client.sync()).outcome).toBe('ok');
  await vi.waitFor(() => expect(text(view, 'pending')).toBe('0'));
  expect(text(view, 'last-run')).toBe('ok pushed 1');
  expect(text(view, 'status')).toBe('idle');

  await client.start();
  await vi.waitFor(() => expect(text(view, 'connection')).toBe('websocket'));
});

it('shows each page of a full sync as progress, and none once the run ended', async () => {
  await fx.fixture.seed('service_types', 35, { prefix: 'st' });
  const { db, client } = fx.app();
  const seen: string[] = [];
  const view = show(() => h(SyncPanel, { db, client, progressSeen: seen }));
  await vi.waitFor(() => expect(text(view, 'pending')).toBe('0'));
  expect((await client.sync()).outcome).toBe('ok');
  await vi.waitFor(() => expect(text(view, 'last-run')).toBe('ok pushed 0'));
  expect(text(view, 'progress')).toBe('none');
  const done = seen.filter((s) => s.startsWith('full service_types')).map((s) => Number(s.split(' ').at(-1)));
  expect(done.length).toBeGreaterThan(0);
  expect(done).toEqual([...done].sort((a, b) => a - b));
  expect(done.every((n) => n > 0 && n <= 35)).toBe(true);
});

it('lists a conflict when a push meets a newer server value, and clear() empties every list of it', async () => {
  await fx.fixture.server.admin.putRecord(
    'work_orders',
    'wo-9',
    { title: 'as seeded', status: 'open' },
    'ana',
  );
  const { db, client } = fx.app();
  const view = show(() => [
    h(ConflictList, { db, client, testId: 'log-a' }),
    h(ConflictList, { db, client, testId: 'log-b' }),
  ]);
  expect((await client.sync()).outcome).toBe('ok');
  await vi.waitFor(() => expect(text(view, 'log-a')).toBe('empty'));

  await db.put('work_orders', { id: 'wo-9', title: 'edited here', status: 'open' });
  await fx.fixture.server.admin.putRecord(
    'work_orders',
    'wo-9',
    { title: 'edited by the office', status: 'open' },
    'ana',
  );
  await client.sync();
  await vi.waitFor(() => expect(text(view, 'log-a')).toBe('wo-9 server edited by the office'));
  expect(text(view, 'log-b')).toBe('wo-9 server edited by the office');

  await view.get('[data-testid="log-a-clear"]').trigger('click');
  await vi.waitFor(() => expect(text(view, 'log-b')).toBe('empty'));
  expect(text(view, 'log-a')).toBe('empty');
});

it('lists a record the client could not store, and retry() stores it once it can be', async () => {
  // A name that is not text: the app's fromServer (lookupTokens of the name) throws on it.
  await fx.fixture.server.admin.putRecord('service_types', 'st-bad', { name: 42 });
  const { client } = fx.app();
  const view = show(() => h(SkippedList, { client }));
  await vi.waitFor(() => expect(text(view, 'skipped')).toBe('empty'));
  expect((await client.sync()).outcome).toBe('ok');
  await vi.waitFor(() => expect(text(view, 'skipped')).toBe('st-bad transform-failed'));

  await fx.fixture.server.admin.putRecord('service_types', 'st-bad', { name: 'Boiler service' });
  await view.get('[data-testid="skipped-retry"]').trigger('click');
  await vi.waitFor(() => expect(text(view, 'skipped')).toBe('empty'));
});

it('updates a live query when another device changes a record it read (poke, pull)', async () => {
  const { db, client } = fx.app();
  const other = fx.app();
  const view = show(() => h(OrderList, { db }));
  await vi.waitFor(() => expect(text(view, 'orders')).toBe('none'));
  await client.start();

  await other.db.put('work_orders', { id: 'dev-2', title: 'Fix valve', status: 'open' });
  expect((await other.client.sync()).outcome).toBe('ok');
  await vi.waitFor(() => expect(text(view, 'orders')).toBe('Fix valve'), { timeout: 10_000 });

  await other.db.put('work_orders', { id: 'dev-2', title: 'Fix valve', status: 'done' });
  expect((await other.client.sync()).outcome).toBe('ok');
  await vi.waitFor(() => expect(text(view, 'orders')).toBe('none'), { timeout: 10_000 });
});

it('leaves no subscription behind after unmount', async () => {
  const { db, client } = fx.app();
  const onClient = countSubscriptions(client, ['status$', 'connection$', 'progress$', 'runs$', 'conflicts$']);
  const onDb = countSubscriptions(db, ['changes$', 'state$', 'events$']);
  const view = show(() => [h(SyncPanel, { db, client }), h(ConflictList, { db, client, testId: 'log' })]);
  await vi.waitFor(() => expect(text(view, 'pending')).toBe('0'));
  await vi.waitFor(() => expect(text(view, 'log')).toBe('empty'));
  expect(onClient.active()).toEqual({ status$: 1, connection$: 1, progress$: 1, runs$: 3, conflicts$: 1 });
  expect(onDb.active()).toEqual({ changes$: 2, state$: 1, events$: 1 });
  view.unmount();
  mounted.splice(mounted.indexOf(view), 1);
  expect(onClient.total()).toBe(0);
  expect(onDb.total()).toBe(0);
});
