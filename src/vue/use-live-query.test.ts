import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { afterEach, expect, it, vi } from 'vitest';
import { defineComponent, effectScope, h, nextTick, type PropType, ref } from 'vue';
import {
  countSubscriptions,
  type FieldDatabase,
  fieldDatabase,
  type WorkOrder,
} from '../../test/bindings/field-app.js';
import { deleteTestDatabase } from '../../test/sync/test-database.js';
import { useLiveQuery } from './use-live-query.js';

const databases: FieldDatabase[] = [];
const mounted: VueWrapper[] = [];
afterEach(async () => {
  for (const wrapper of mounted.splice(0)) wrapper.unmount();
  for (const db of databases.splice(0)) {
    await db.close();
    await deleteTestDatabase(db.name);
  }
});

function database(name?: string): FieldDatabase {
  const db = fieldDatabase(name);
  databases.push(db);
  return db;
}

const order = (id: string, status = 'open'): WorkOrder => ({ id, title: `order ${id}`, status });

/** Lists the work orders of the `status` prop (the query reads it: it must read again when it changes). */
const Orders = defineComponent({
  props: {
    db: { type: Object as PropType<FieldDatabase>, required: true },
    status: { type: String, required: true },
    keep: { type: Boolean, default: false },
    renders: { type: Array as PropType<string[]>, default: undefined },
  },
  setup(props) {
    const { data, error, isLoading } = useLiveQuery(
      props.db,
      ['work_orders'],
      (tx) => tx.objectStore('work_orders').index('byStatus').getAllKeys(props.status),
      [() => props.status],
      { keepPreviousData: props.keep },
    );
    return () => {
      const text =
        error.value !== undefined
          ? `error: ${(error.value as Error).name}`
          : `${isLoading.value ? 'loading ' : ''}${data.value?.join(',') ?? '-'}`;
      props.renders?.push(text);
      return h('p', text);
    };
  },
});

const Failing = defineComponent({
  props: { db: { type: Object as PropType<FieldDatabase>, required: true } },
  setup(props) {
    const { error, isLoading } = useLiveQuery(props.db, ['work_orders'], () => {
      throw new RangeError('bad query');
    });
    return () =>
      h(
        'p',
        isLoading.value
          ? 'loading'
          : `${(error.value as Error).name} ← ${String((error.value as { cause?: unknown }).cause)}`,
      );
  },
});

function show<P extends object>(component: Parameters<typeof mount>[0], props: P): VueWrapper {
  const wrapper = mount(component as never, { props: props as never });
  mounted.push(wrapper);
  return wrapper;
}

it('updates when a record the query read changes in this tab', async () => {
  const db = database();
  await db.bulkPut('work_orders', [order('a'), order('b')]);
  const view = show(Orders, { db, status: 'open' });
  expect(view.text()).toBe('loading -');
  await vi.waitFor(() => expect(view.text()).toBe('a,b'));

  await db.put('work_orders', order('c'));
  await vi.waitFor(() => expect(view.text()).toBe('a,b,c'));
  await db.put('work_orders', order('a', 'done'));
  await vi.waitFor(() => expect(view.text()).toBe('b,c'));
  await db.delete('work_orders', 'b');
  await vi.waitFor(() => expect(view.text()).toBe('c'));
});

it('updates when another tab writes (another handle on the same database)', async () => {
  const db = database();
  const otherTab = database(db.name);
  await db.put('work_orders', order('a'));
  const view = show(Orders, { db, status: 'open' });
  await vi.waitFor(() => expect(view.text()).toBe('a'));

  await otherTab.put('work_orders', order('from-other-tab'));
  await vi.waitFor(() => expect(view.text()).toBe('a,from-other-tab'));
});

it('reads again when a dep changes, follows only the new query, and unmounting leaves no subscription', async () => {
  const db = database();
  await db.bulkPut('work_orders', [order('a'), order('b', 'done')]);
  const counted = countSubscriptions(db, ['changes$']);
  const view = show(Orders, { db, status: 'open' });
  await vi.waitFor(() => expect(view.text()).toBe('a'));

  await view.setProps({ status: 'done' });
  await vi.waitFor(() => expect(view.text()).toBe('b'));
  expect(counted.total()).toBe(1);

  // A change re-runs the current query (status "done"), not the first one.
  await db.put('work_orders', order('c', 'done'));
  await vi.waitFor(() => expect(view.text()).toBe('b,c'));
  view.unmount();
  mounted.splice(mounted.indexOf(view), 1);
  expect(counted.total()).toBe(0);
});

it('keeps the previous inputs’ result while the new one loads with keepPreviousData', async () => {
  const db = database();
  await db.bulkPut('work_orders', [order('a'), order('b', 'done')]);
  const renders: string[] = [];
  const view = show(Orders, { db, status: 'open', keep: true, renders });
  await vi.waitFor(() => expect(view.text()).toBe('a'));
  await view.setProps({ status: 'done' });
  await vi.waitFor(() => expect(view.text()).toBe('b'));
  const first = renders.indexOf('a');
  expect(renders.slice(0, first).every((r) => r === 'loading -')).toBe(true);
  expect(renders.slice(first)).toContain('loading a');
  expect(renders.slice(first)).not.toContain('loading -');
});

it('reports a failing query as `error`', async () => {
  const view = show(Failing, { db: database() });
  await vi.waitFor(() => expect(view.text()).toBe('TransactionCallbackError ← RangeError: bad query'));
});

it('works in a bare effect scope (a store): follows at once, and stopping the scope stops it', async () => {
  const db = database();
  await db.put('work_orders', order('a'));
  const counted = countSubscriptions(db, ['changes$']);
  const status = ref('open');
  const scope = effectScope();
  const orders = scope.run(() =>
    useLiveQuery(
      db,
      ['work_orders'],
      (tx) => tx.objectStore('work_orders').index('byStatus').getAllKeys(status.value),
      [status],
    ),
  );
  if (orders === undefined) throw new Error('the scope ran nothing');
  expect(counted.total()).toBe(1);
  await vi.waitFor(() => expect(orders.data.value).toEqual(['a']));
  status.value = 'done';
  await nextTick();
  expect(orders.isLoading.value).toBe(true);
  await vi.waitFor(() => expect(orders.data.value).toEqual([]));

  scope.stop();
  expect(counted.total()).toBe(0);
  await db.put('work_orders', order('b', 'done'));
  await flushPromises();
  expect(orders.data.value).toEqual([]);
});
