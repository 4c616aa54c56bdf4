import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, expect, it } from 'vitest';
import { type FieldDatabase, fieldDatabase, type ServiceType } from '../../test/bindings/field-app.js';
import { deleteTestDatabase } from '../../test/sync/test-database.js';
import { lookupTokens } from '../query/lookup-tokens.js';
import { useLiveSearch } from './use-live-search.js';

const databases: FieldDatabase[] = [];
afterEach(async () => {
  cleanup();
  for (const db of databases.splice(0)) {
    await db.close();
    await deleteTestDatabase(db.name);
  }
});

const serviceType = (id: string, name: string, n: number): ServiceType => ({
  id,
  name,
  n,
  tokens: lookupTokens([name]),
});

/** A picker: search text, pages of 2 through the result's cursor. */
function Picker({ db, text }: { db: FieldDatabase; text: string }) {
  const [cursors, setCursors] = useState<string[]>([]);
  const after = cursors.at(-1);
  const { data: page, isLoading } = useLiveSearch(
    db,
    'service_types',
    { index: 'byToken', text, pageSize: 2, count: true, ...(after === undefined ? {} : { after }) },
    [],
    { keepPreviousData: true },
  );
  return (
    <section>
      <p data-testid="rows">{page === undefined ? '…' : page.items.map((st) => st.id).join(',')}</p>
      <p data-testid="total">{isLoading ? '…' : String(page?.total)}</p>
      <button
        type="button"
        data-testid="next"
        disabled={page?.nextCursor === undefined}
        onClick={() => page?.nextCursor !== undefined && setCursors([...cursors, page.nextCursor])}
      >
        Next
      </button>
    </section>
  );
}

const shown = (testId: string) => screen.getByTestId(testId).textContent;

it('searches, pages with the cursor, follows the text, and re-renders when the store changes', async () => {
  const db = fieldDatabase();
  databases.push(db);
  await db.bulkPut(
    'service_types',
    [
      serviceType('st-1', 'Pump repair', 1),
      serviceType('st-2', 'Pump install', 2),
      serviceType('st-3', 'Pump check', 3),
      serviceType('st-4', 'Boiler repair', 4),
    ],
    { localOnly: true },
  );
  const view = render(<Picker db={db} text="pump" />);
  await waitFor(() => expect(shown('rows')).toBe('st-1,st-2'));
  expect(shown('total')).toBe('3');

  await act(async () => screen.getByTestId('next').click());
  await waitFor(() => expect(shown('rows')).toBe('st-3'));

  view.rerender(<Picker db={db} text="repair" />);
  // The cursor belongs to the "pump" query: a new text starts again (the picker keys it by text).
  view.unmount();
  render(<Picker key="repair" db={db} text="repair" />);
  await waitFor(() => expect(shown('rows')).toBe('st-1,st-4'));

  await act(() => db.put('service_types', serviceType('st-0', 'Roof repair', 0), { localOnly: true }));
  await waitFor(() => expect(shown('total')).toBe('3'));
  expect(shown('rows')).toBe('st-0,st-1');
});
