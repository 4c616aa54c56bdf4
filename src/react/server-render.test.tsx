// @vitest-environment node
// Server rendering: the hooks render their server snapshots and touch no IndexedDB, open no
// BroadcastChannel and subscribe to nothing (React never subscribes on the server).
import { renderToString } from 'react-dom/server';
import { afterEach, expect, it, vi } from 'vitest';
import { type FieldDatabase, type FieldSchema, fieldDatabase } from '../../test/bindings/field-app.js';
import { createSyncClient } from '../sync/sync-client.js';
import type { LiveSyncClient } from '../sync/sync-client-api.js';
import { useConflictLog } from './use-conflict-log.js';
import { useDatabaseStatus } from './use-database-status.js';
import { useLiveQuery } from './use-live-query.js';
import { useLiveSearch } from './use-live-search.js';
import { usePendingWrites } from './use-pending-writes.js';
import { useConnection, useLastRun, useSyncProgress, useSyncStatus } from './use-sync-state.js';

function Page({ db, client }: { db: FieldDatabase; client: LiveSyncClient<FieldSchema> }) {
  const orders = useLiveQuery(db, ['work_orders'], (tx) => tx.objectStore('work_orders').getAll());
  const search = useLiveSearch(db, 'service_types', { index: 'byToken', text: 'pump' });
  const pending = usePendingWrites(client, db);
  const conflicts = useConflictLog(client, db);
  const database = useDatabaseStatus(db);
  const parts = [
    `orders ${orders.isLoading ? 'loading' : orders.data?.length}`,
    `search ${search.isLoading ? 'loading' : search.data?.items.length}`,
    `pending ${pending.isLoading ? 'loading' : pending.data}`,
    `conflicts ${conflicts.isLoading ? 'loading' : conflicts.data?.length}`,
    `status ${useSyncStatus(client)}`,
    `connection ${useConnection(client)}`,
    `progress ${useSyncProgress(client) === null ? 'none' : 'some'}`,
    `run ${useLastRun(client) === null ? 'none' : 'some'}`,
    `db ${database.state}${database.blocked ? ' blocked' : ''}${database.reloadRequired ? ' reload' : ''}`,
  ];
  return <p>{parts.join('; ')}</p>;
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

it('renders every hook on the server without touching IndexedDB', () => {
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
  const db = fieldDatabase('server-render');
  const client = createSyncClient({ database: db, url: 'http://127.0.0.1:9', getToken: () => 'token' });
  const html = renderToString(<Page db={db} client={client} />);
  expect(html).toBe(
    '<p>orders loading; search loading; pending loading; conflicts loading; status idle; connection offline; progress none; run none; db closed</p>',
  );
  expect(open).not.toHaveBeenCalled();
  expect(channels).toEqual([]);
  expect(db.state).toBe('closed');
});
