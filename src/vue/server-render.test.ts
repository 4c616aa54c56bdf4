// @vitest-environment node
// Server rendering: the composables render their server values and touch no IndexedDB, open no
// BroadcastChannel and subscribe to nothing (components are never mounted on the server).
import { afterEach, expect, it, vi } from 'vitest';
import { createSSRApp, defineComponent, h, type PropType } from 'vue';
import { renderToString } from 'vue/server-renderer';
import { type FieldDatabase, type FieldSchema, fieldDatabase } from '../../test/bindings/field-app.js';
import { createSyncClient } from '../sync/sync-client.js';
import type { LiveSyncClient } from '../sync/sync-client-api.js';
import { useConflictLog } from './use-conflict-log.js';
import { useDatabaseStatus } from './use-database-status.js';
import { useLiveQuery } from './use-live-query.js';
import { useLiveSearch } from './use-live-search.js';
import { usePendingWrites } from './use-pending-writes.js';
import { useConnection, useLastRun, useSyncProgress, useSyncStatus } from './use-sync-state.js';

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

const Page = defineComponent({
  props: {
    db: { type: Object as PropType<FieldDatabase>, required: true },
    client: { type: Object as PropType<LiveSyncClient<FieldSchema>>, required: true },
  },
  setup({ db, client }) {
    const orders = useLiveQuery(db, ['work_orders'], (tx) => tx.objectStore('work_orders').getAll());
    const search = useLiveSearch(db, 'service_types', { index: 'byToken', text: 'pump' });
    const pending = usePendingWrites(client, db);
    const conflicts = useConflictLog(client, db);
    const database = useDatabaseStatus(db);
    const status = useSyncStatus(client);
    const connection = useConnection(client);
    const progress = useSyncProgress(client);
    const run = useLastRun(client);
    return () =>
      h(
        'p',
        [
          `orders ${orders.isLoading.value ? 'loading' : orders.data.value?.length}`,
          `search ${search.isLoading.value ? 'loading' : search.data.value?.items.length}`,
          `pending ${pending.isLoading.value ? 'loading' : pending.data.value}`,
          `conflicts ${conflicts.isLoading.value ? 'loading' : conflicts.data.value?.length}`,
          `status ${status.value}`,
          `connection ${connection.value}`,
          `progress ${progress.value === null ? 'none' : 'some'}`,
          `run ${run.value === null ? 'none' : 'some'}`,
          `db ${database.value.state}${database.value.blocked ? ' blocked' : ''}${database.value.reloadRequired ? ' reload' : ''}`,
        ].join('; '),
      );
  },
});

it('renders every composable on the server without touching IndexedDB', async () => {
  const open = vi.spyOn(indexedDB, 'open');
  const channels: string[] = [];
  vi.stubGlobal(
    'BroadcastChannel',
    class {
      constructor(name: string) {
        channels.push(name);
      }
    },
  );
  const db = fieldDatabase('server-render-vue');
  const client = createSyncClient({ database: db, url: 'http://127.0.0.1:9', getToken: () => 'token' });
  const html = await renderToString(createSSRApp(Page, { db, client }));
  expect(html).toBe(
    '<p>orders loading; search loading; pending loading; conflicts loading; status idle; connection offline; progress none; run none; db closed</p>',
  );
  expect(open).not.toHaveBeenCalled();
  expect(channels).toEqual([]);
  expect(db.state).toBe('closed');
});
