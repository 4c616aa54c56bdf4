import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { StrictMode } from 'react';
import { afterEach, expect, it } from 'vitest';
import {
  countSubscriptions,
  type FieldDatabase,
  fieldDatabase,
  type WorkOrder,
} from '../../test/bindings/field-app.js';
import { deleteTestDatabase } from '../../test/sync/test-database.js';
import { useLiveQuery } from './use-live-query.js';

const databases: FieldDatabase[] = [];
afterEach(async () => {
  cleanup();
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

/** Lists the work orders of `status` (the query reads a prop: it must re-subscribe when it changes). */
function Orders({ db, status, renders }: { db: FieldDatabase; status: string; renders?: string[] }) {
  const { data, error, isLoading } = useLiveQuery(
    db,
    ['work_orders'],
    (tx) => tx.objectStore('work_orders').index('byStatus').getAll(status),
    [status],
  );
  const text =
    error !== undefined
      ? `error: ${(error as Error).name}`
      : isLoading
        ? 'loading'
        : (data ?? []).map((o) => o.id).join(',');
  renders?.push(text);
  return <p data-testid="orders">{text === '' ? '(none)' : text}</p>;
}

function Unlisted({ db, status }: { db: FieldDatabase; status: string }) {
  // `status` is left out of deps on purpose: the next change must still read with the new one.
  const { data } = useLiveQuery(db, ['work_orders'], (tx) =>
    tx.objectStore('work_orders').index('byStatus').getAllKeys(status),
  );
  return <p data-testid="orders">{data?.join(',') ?? 'loading'}</p>;
}

function Counting({ db, onRun }: { db: FieldDatabase; onRun: () => void }) {
  const { data } = useLiveQuery(db, ['work_orders'], (tx) => {
    onRun();
    return tx.objectStore('work_orders').count();
  });
  return <p data-testid="orders">{String(data)}</p>;
}

function Kept({ db, status, renders }: { db: FieldDatabase; status: string; renders: string[] }) {
  const { data, isLoading } = useLiveQuery(
    db,
    ['work_orders'],
    (tx) => tx.objectStore('work_orders').index('byStatus').getAllKeys(status),
    [status],
    { keepPreviousData: true },
  );
  const text = `${isLoading ? 'loading ' : ''}${data?.join(',') ?? '-'}`;
  renders.push(text);
  return <p data-testid="orders">{text}</p>;
}

function Failing({ db }: { db: FieldDatabase }) {
  const { error, isLoading } = useLiveQuery(db, ['work_orders'], () => {
    throw new RangeError('bad query');
  });
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  return <p data-testid="orders">{isLoading ? 'loading' : `${(error as Error).name} ← ${String(cause)}`}</p>;
}

const shown = () => screen.getByTestId('orders').textContent;

it('re-renders when a record the query read changes in this tab', async () => {
  const db = database();
  await db.bulkPut('work_orders', [order('a'), order('b')]);
  render(<Orders db={db} status="open" />);
  expect(shown()).toBe('loading');
  await waitFor(() => expect(shown()).toBe('a,b'));

  await act(() => db.put('work_orders', order('c')));
  await waitFor(() => expect(shown()).toBe('a,b,c'));
  await act(() => db.put('work_orders', order('a', 'done')));
  await waitFor(() => expect(shown()).toBe('b,c'));
  await act(() => db.delete('work_orders', 'b'));
  await waitFor(() => expect(shown()).toBe('c'));
});

it('re-renders when another tab writes (another handle on the same database)', async () => {
  const db = database();
  const otherTab = database(db.name);
  await db.put('work_orders', order('a'));
  render(<Orders db={db} status="open" />);
  await waitFor(() => expect(shown()).toBe('a'));

  await act(() => otherTab.put('work_orders', order('from-other-tab')));
  await waitFor(() => expect(shown()).toBe('a,from-other-tab'));
});

it('reads again when its inputs change, and follows only the new query', async () => {
  const db = database();
  await db.bulkPut('work_orders', [order('a'), order('b', 'done')]);
  const counted = countSubscriptions(db, ['changes$']);
  const view = render(<Orders db={db} status="open" />);
  await waitFor(() => expect(shown()).toBe('a'));

  view.rerender(<Orders db={db} status="done" />);
  await waitFor(() => expect(shown()).toBe('b'));
  expect(counted.total()).toBe(1);

  // A change re-runs the current query (status "done"), not the first one.
  await act(() => db.put('work_orders', order('c', 'done')));
  await waitFor(() => expect(shown()).toBe('b,c'));
  view.unmount();
  expect(counted.total()).toBe(0);
});

it('re-runs after a change with the latest query rendered, even when deps do not list its input', async () => {
  const db = database();
  await db.bulkPut('work_orders', [order('a'), order('b', 'done')]);
  const view = render(<Unlisted db={db} status="open" />);
  await waitFor(() => expect(shown()).toBe('a'));
  view.rerender(<Unlisted db={db} status="done" />);
  await act(() => db.put('work_orders', order('c', 'done')));
  await waitFor(() => expect(shown()).toBe('b,c'));
});

it('under StrictMode, the double effects leave one subscription, and unmounting leaves none', async () => {
  const db = database();
  await db.put('work_orders', order('a'));
  const counted = countSubscriptions(db, ['changes$']);
  const view = render(
    <StrictMode>
      <Orders db={db} status="open" />
    </StrictMode>,
  );
  await waitFor(() => expect(shown()).toBe('a'));
  expect(counted.total()).toBe(1);
  await act(() => db.put('work_orders', order('b')));
  await waitFor(() => expect(shown()).toBe('a,b'));
  view.unmount();
  expect(counted.total()).toBe(0);
});

it('stops reading after unmount: a later change runs no query', async () => {
  const db = database();
  let runs = 0;
  const view = render(<Counting db={db} onRun={() => (runs += 1)} />);
  await waitFor(() => expect(shown()).toBe('0'));
  view.unmount();
  const before = runs;
  await db.put('work_orders', order('a'));
  await db.get('work_orders', 'a');
  expect(runs).toBe(before);
});

it('keeps the previous inputs’ result while the new one loads with keepPreviousData', async () => {
  const db = database();
  await db.bulkPut('work_orders', [order('a'), order('b', 'done')]);
  const renders: string[] = [];
  const view = render(<Kept db={db} status="open" renders={renders} />);
  await waitFor(() => expect(shown()).toBe('a'));
  view.rerender(<Kept db={db} status="done" renders={renders} />);
  await waitFor(() => expect(shown()).toBe('b'));
  // Loading with nothing to show only before the very first result.
  const first = renders.indexOf('a');
  expect(renders.slice(0, first).every((r) => r === 'loading -')).toBe(true);
  expect(renders.slice(first)).toContain('loading a');
  expect(renders.slice(first)).not.toContain('loading -');
});

it('reports a failing query as `error`', async () => {
  render(<Failing db={database()} />);
  await waitFor(() => expect(shown()).toBe('TransactionCallbackError ← RangeError: bad query'));
});
