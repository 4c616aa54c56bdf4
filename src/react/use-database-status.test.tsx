import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, expect, it } from 'vitest';
import { type FieldDatabase, fieldDatabase } from '../../test/bindings/field-app.js';
import { deleteTestDatabase } from '../../test/sync/test-database.js';
import { useDatabaseStatus } from './use-database-status.js';

const databases: FieldDatabase[] = [];
afterEach(async () => {
  cleanup();
  const closing = databases.splice(0);
  for (const db of closing) await db.close();
  for (const name of new Set(closing.map((db) => db.name))) await deleteTestDatabase(name);
});

function track(db: FieldDatabase): FieldDatabase {
  databases.push(db);
  return db;
}

function Status({ db, testId = 'status' }: { db: FieldDatabase; testId?: string }) {
  const { state, blocked, reloadRequired } = useDatabaseStatus(db);
  return (
    <p data-testid={testId}>
      {state}
      {blocked ? ' blocked' : ''}
      {reloadRequired ? ' reload' : ''}
    </p>
  );
}

const text = (testId = 'status') => screen.getByTestId(testId).textContent;

it('says a reload is required once a newer app version (another tab) upgraded the database', async () => {
  const oldTab = track(fieldDatabase(undefined, 1));
  render(<Status db={oldTab} />);
  expect(text()).toBe('closed');
  await act(() => oldTab.open());
  await waitFor(() => expect(text()).toBe('open'));

  const newTab = track(fieldDatabase(oldTab.name, 2));
  await newTab.open();
  await waitFor(() => expect(text()).toBe('versionchange reload'));
  // A banner mounted later says so at once.
  render(<Status db={oldTab} testId="later" />);
  expect(text('later')).toBe('versionchange reload');
});

it('says blocked while the upgrade waits for another tab, and open once that tab lets go', async () => {
  const v1 = track(fieldDatabase(undefined, 1));
  await v1.open();
  await v1.close();
  // Another tab's connection that ignores versionchange (an old build).
  const held = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(v1.name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const v2 = track(fieldDatabase(v1.name, 2));
  render(<Status db={v2} />);
  const opened = v2.open();
  await waitFor(() => expect(text()).toBe('blocked blocked'));
  held.close();
  await act(() => opened);
  await waitFor(() => expect(text()).toBe('open'));
});
