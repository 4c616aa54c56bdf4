// The field app in Vue, small: the sync panel, the work orders (edit a title, offline or not) and
// the service type picker, on the composables of `idb-sync/vue`. Render functions keep it plain
// TypeScript (type-checked with the rest of the repository); an SFC would read the same.
import {
  useConnection,
  useDatabaseStatus,
  useLiveQuery,
  useLiveSearch,
  usePendingWrites,
  useSyncStatus,
} from 'idb-sync/vue';
import { defineComponent, h, type PropType, ref, watch } from 'vue';
import type { FieldClient, FieldDatabase } from '../../shared/field-app.js';

const appProps = {
  db: { type: Object as PropType<FieldDatabase>, required: true },
  client: { type: Object as PropType<FieldClient>, required: true },
} as const;

export const FieldApp = defineComponent({
  name: 'FieldApp',
  props: appProps,
  setup(props) {
    return () =>
      h('main', [
        h(NewerVersionBanner, { db: props.db }),
        h('h1', 'Field app (Vue)'),
        h(SyncPanel, { db: props.db, client: props.client }),
        h(WorkOrders, { db: props.db }),
        h(ServiceTypePicker, { db: props.db }),
      ]);
  },
});

const NewerVersionBanner = defineComponent({
  props: { db: appProps.db },
  setup(props) {
    const status = useDatabaseStatus(props.db);
    return () => {
      if (status.value.reloadRequired)
        return h('p', { role: 'alert' }, [
          'A newer version of the app is active. ',
          h('button', { type: 'button', onClick: () => location.reload() }, 'Reload'),
        ]);
      return status.value.blocked ? h('p', { role: 'alert' }, "Close the app's other tabs.") : null;
    };
  },
});

const SyncPanel = defineComponent({
  props: appProps,
  setup(props) {
    const status = useSyncStatus(props.client);
    const connection = useConnection(props.client);
    const { data: pending } = usePendingWrites(props.client, props.db);
    return () =>
      h('section', { 'aria-label': 'Sync' }, [
        h('p', [
          'Sync: ',
          h('span', { 'data-testid': 'sync-status' }, status.value),
          ' over ',
          h('span', { 'data-testid': 'connection' }, connection.value),
        ]),
        h('p', ['Not synced yet: ', h('span', { 'data-testid': 'pending' }, String(pending.value ?? '…'))]),
        h('button', { type: 'button', onClick: () => void props.client.sync() }, 'Sync now'),
      ]);
  },
});

const WorkOrders = defineComponent({
  props: { db: appProps.db },
  setup(props) {
    const { data: orders } = useLiveQuery(props.db, ['work_orders'], (tx) =>
      tx.objectStore('work_orders').getAll(),
    );
    const editing = ref<string>();
    const draft = ref('');
    const save = async (id: string) => {
      // The ordinary typed put is the synced write: the record and its outbox entry commit together,
      // offline or not, and the sync client pushes it when it can. (Read first: no await inside a
      // write transaction, which Safari lets go inactive.)
      const order = await props.db.get('work_orders', id);
      if (order !== undefined)
        await props.db.put('work_orders', {
          ...order,
          title: draft.value,
          updatedAt: new Date().toISOString(),
        });
      editing.value = undefined;
    };
    return () =>
      h('section', { 'aria-label': 'Work orders' }, [
        h('h2', 'Work orders'),
        orders.value === undefined
          ? h('p', 'Loading…')
          : h(
              'ul',
              { 'data-testid': 'work-orders' },
              orders.value.map((order) =>
                h(
                  'li',
                  { key: order.id, 'data-id': order.id },
                  editing.value === order.id
                    ? [
                        h('input', {
                          name: 'title',
                          'aria-label': 'Title',
                          value: draft.value,
                          onInput: (event: Event) => {
                            draft.value = (event.target as HTMLInputElement).value;
                          },
                        }),
                        h('button', { type: 'button', onClick: () => void save(order.id) }, 'Save'),
                      ]
                    : [
                        h('span', { class: 'title' }, order.title),
                        ` (${order.status}) `,
                        h(
                          'button',
                          {
                            type: 'button',
                            class: 'edit',
                            onClick: () => {
                              draft.value = order.title;
                              editing.value = order.id;
                            },
                          },
                          'Edit',
                        ),
                      ],
                ),
              ),
            ),
      ]);
  },
});

const ServiceTypePicker = defineComponent({
  props: { db: appProps.db },
  setup(props) {
    const text = ref('');
    const cursors = ref<string[]>([]);
    // A cursor belongs to its query: a new text starts again from the first page.
    watch(text, () => {
      cursors.value = [];
    });
    const { data: page } = useLiveSearch(
      props.db,
      'service_types',
      () => {
        const after = cursors.value.at(-1);
        return { index: 'byToken', text: text.value, pageSize: 10, count: true, ...(after ? { after } : {}) };
      },
      [],
      { keepPreviousData: true },
    );
    return () =>
      h('section', { 'aria-label': 'Service types' }, [
        h('h2', 'Service types'),
        h('input', {
          type: 'search',
          'aria-label': 'Search service types',
          value: text.value,
          onInput: (event: Event) => {
            text.value = (event.target as HTMLInputElement).value;
          },
        }),
        h('p', page.value?.total === undefined ? '' : `${page.value.total} found`),
        h(
          'ul',
          { 'data-testid': 'service-types' },
          page.value?.items.map((st) => h('li', { key: st.id }, `${st.code} ${st.name}`)),
        ),
        h(
          'button',
          {
            type: 'button',
            disabled: cursors.value.length === 0,
            onClick: () => {
              cursors.value = cursors.value.slice(0, -1);
            },
          },
          'Previous',
        ),
        h(
          'button',
          {
            type: 'button',
            disabled: page.value?.nextCursor === undefined,
            onClick: () => {
              const next = page.value?.nextCursor;
              if (next !== undefined) cursors.value = [...cursors.value, next];
            },
          },
          'Next',
        ),
      ]);
  },
});
