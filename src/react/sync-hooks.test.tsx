import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { StrictMode } from 'react';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
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
beforeAll(async () => {
  fx = await startFieldFixture();
});
afterEach(async () => {
  cleanup();
  await fx.closeApps();
});
afterAll(async () => {
  await fx?.close();
});

interface AppProps {
  readonly db: FieldDatabase;
  readonly client: LiveSyncClient<FieldSchema>;
}

/** The sync panel of the field app: every sync hook at once. */
function SyncPanel({ db, client, progressSeen }: AppProps & { progressSeen?: string[] }) {
  const status = useSyncStatus(client);
  const connection = useConnection(client);
  const progress = useSyncProgress(client);
  const run = useLastRun(client);
  const pending = usePendingWrites(client, db);
  const database = useDatabaseStatus(db);
  const progressText =
    progress === null ? 'none' : `${progress.mode} ${progress.collection} ${progress.done}`;
  progressSeen?.push(progressText);
  return (
    <dl>
      <dd data-testid="status">{status}</dd>
      <dd data-testid="connection">{connection}</dd>
      <dd data-testid="progress">{progressText}</dd>
      <dd data-testid="last-run">{run === null ? 'none' : `${run.outcome} pushed ${run.push.applied}`}</dd>
      <dd data-testid="pending">{pending.isLoading ? '…' : String(pending.data)}</dd>
      <dd data-testid="db-state">{database.state}</dd>
    </dl>
  );
}

function ConflictList({ db, client, testId }: AppProps & { testId: string }) {
  const { data, clear } = useConflictLog(client, db, 'work_orders');
  return (
    <section>
      <p data-testid={testId}>
        {data === undefined
          ? '…'
          : data.map((e) => `${e.id} ${e.winner} ${e.remote?.title}`).join(';') || 'empty'}
      </p>
      <button type="button" data-testid={`${testId}-clear`} onClick={() => void clear()}>
        Clear
      </button>
    </section>
  );
}

/** The work order list: a live query of the open orders. */
function OrderList({ db }: { db: FieldDatabase }) {
  const { data } = useLiveQuery(db, ['work_orders'], async (tx) =>
    (await tx.objectStore('work_orders').getAll()).filter(
      (o) => o.status === 'open' && o.id.startsWith('dev-'),
    ),
  );
  return (
    <p data-testid="orders">{data === undefined ? '…' : data.map((o) => o.title).join(';') || 'none'}</p>
  );
}

const text = (testId: string) => screen.getByTestId(testId).textContent;

it('re-renders a live query when another device changes a record it read (poke, pull)', async () => {
  const { db, client } = fx.app();
  const other = fx.app();
  render(<OrderList db={db} />);
  await waitFor(() => expect(text('orders')).toBe('none'));
  await act(() => client.start());

  // Another device writes and pushes; the server pokes this client, which pulls the change.
  await other.db.put('work_orders', { id: 'dev-2', title: 'Fix valve', status: 'open' });
  expect((await other.client.sync()).outcome).toBe('ok');
  await waitFor(() => expect(text('orders')).toBe('Fix valve'), { timeout: 10_000 });

  await other.db.put('work_orders', { id: 'dev-2', title: 'Fix valve', status: 'done' });
  expect((await other.client.sync()).outcome).toBe('ok');
  await waitFor(() => expect(text('orders')).toBe('none'), { timeout: 10_000 });
});

it('shows a local write as pending until a run pushes it, with the run, the status and the connection', async () => {
  const { db, client } = fx.app();
  render(<SyncPanel db={db} client={client} />);
  await waitFor(() => expect(text('pending')).toBe('0'));
  expect(text('status')).toBe('idle');
  expect(text('connection')).toBe('offline');
  expect(text('last-run')).toBe('none');
  expect(text('db-state')).toBe('open');

  await act(() => db.put('work_orders', { id: 'wo-1', title: 'Replace pump', status: 'open' }));
  await waitFor(() => expect(text('pending')).toBe('1'));

  await act(async () => {
    expect((await client.sync()).outcome).toBe('ok');
  });
  await waitFor(() => expect(text('pending')).toBe('0'));
  expect(text('last-run')).toBe('ok pushed 1');
  expect(text('status')).toBe('idle');

  // Started, the client hears the server over a WebSocket; offline, it says so.
  await act(() => client.start());
  await waitFor(() => expect(text('connection')).toBe('websocket'));
});

it('shows each page of a full sync as progress, and none once the run ended', async () => {
  await fx.fixture.seed('service_types', 35, { prefix: 'st' });
  const { db, client } = fx.app();
  const seen: string[] = [];
  render(<SyncPanel db={db} client={client} progressSeen={seen} />);
  await act(async () => {
    expect((await client.sync()).outcome).toBe('ok');
  });
  await waitFor(() => expect(text('last-run')).toBe('ok pushed 0'));
  expect(text('progress')).toBe('none');
  const pages = seen.filter((s) => s.startsWith('full service_types'));
  expect(pages.length).toBeGreaterThan(0);
  // Pages only grow, and the last one shown is the whole collection or on its way there.
  const done = pages.map((s) => Number(s.split(' ').at(-1)));
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
  render(
    <>
      <ConflictList db={db} client={client} testId="log-a" />
      <ConflictList db={db} client={client} testId="log-b" />
    </>,
  );
  await act(async () => {
    expect((await client.sync()).outcome).toBe('ok');
  });
  await waitFor(() => expect(text('log-a')).toBe('empty'));

  // Edited here while the office edits it on the server: the push conflicts, the server wins.
  await act(() => db.put('work_orders', { id: 'wo-9', title: 'edited here', status: 'open' }));
  await fx.fixture.server.admin.putRecord(
    'work_orders',
    'wo-9',
    { title: 'edited by the office', status: 'open' },
    'ana',
  );
  await act(async () => {
    await client.sync();
  });
  await waitFor(() => expect(text('log-a')).toBe('wo-9 server edited by the office'));
  expect(text('log-b')).toBe('wo-9 server edited by the office');

  fireEvent.click(screen.getByTestId('log-a-clear'));
  await waitFor(() => expect(text('log-b')).toBe('empty'));
  expect(text('log-a')).toBe('empty');
});

function SkippedList({ client }: Pick<AppProps, 'client'>) {
  const { data, retry } = useSkippedRecords(client, 'service_types');
  return (
    <section>
      <p data-testid="skipped">
        {data === undefined ? '…' : data.map((r) => `${r.id} ${r.reason}`).join(';') || 'empty'}
      </p>
      <button type="button" data-testid="skipped-retry" onClick={() => void retry()}>
        Retry
      </button>
    </section>
  );
}

it('lists a record the client could not store, and retry() stores it once it can be', async () => {
  // A name that is not text: the app's fromServer (lookupTokens of the name) throws on it.
  await fx.fixture.server.admin.putRecord('service_types', 'st-bad', { name: 42 });
  const { client } = fx.app();
  render(<SkippedList client={client} />);
  await waitFor(() => expect(text('skipped')).toBe('empty'));
  await act(async () => {
    expect((await client.sync()).outcome).toBe('ok');
  });
  await waitFor(() => expect(text('skipped')).toBe('st-bad transform-failed'));

  await fx.fixture.server.admin.putRecord('service_types', 'st-bad', { name: 'Boiler service' });
  fireEvent.click(screen.getByTestId('skipped-retry'));
  await waitFor(() => expect(text('skipped')).toBe('empty'));
});

it('leaves no subscription behind after unmount, under StrictMode too', async () => {
  const { db, client } = fx.app();
  const onClient = countSubscriptions(client, ['status$', 'connection$', 'progress$', 'runs$', 'conflicts$']);
  const onDb = countSubscriptions(db, ['changes$', 'state$', 'events$']);
  const view = render(
    <StrictMode>
      <SyncPanel db={db} client={client} />
      <ConflictList db={db} client={client} testId="log" />
    </StrictMode>,
  );
  await waitFor(() => expect(text('pending')).toBe('0'));
  await waitFor(() => expect(text('log')).toBe('empty'));
  // One subscription per hook that follows each observable, none left over from the double effects.
  expect(onClient.active()).toEqual({ status$: 1, connection$: 1, progress$: 1, runs$: 3, conflicts$: 1 });
  expect(onDb.active()).toEqual({ changes$: 2, state$: 1, events$: 1 });
  view.unmount();
  expect(onClient.total()).toBe(0);
  expect(onDb.total()).toBe(0);
});
