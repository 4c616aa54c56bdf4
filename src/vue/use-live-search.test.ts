import { mount, type VueWrapper } from '@vue/test-utils';
import { afterEach, expect, it, vi } from 'vitest';
import { defineComponent, h, type PropType, ref, watch } from 'vue';
import { type FieldDatabase, fieldDatabase, type ServiceType } from '../../test/bindings/field-app.js';
import { deleteTestDatabase } from '../../test/sync/test-database.js';
import { lookupTokens } from '../query/lookup-tokens.js';
import { useLiveSearch } from './use-live-search.js';

const databases: FieldDatabase[] = [];
const mounted: VueWrapper[] = [];
afterEach(async () => {
  for (const wrapper of mounted.splice(0)) wrapper.unmount();
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

/** A picker: search text (a prop), pages of 2 through the result's cursor, back to page 1 on new text. */
const Picker = defineComponent({
  props: {
    db: { type: Object as PropType<FieldDatabase>, required: true },
    text: { type: String, required: true },
  },
  setup(props) {
    const after = ref<string>();
    watch(
      () => props.text,
      () => {
        after.value = undefined;
      },
    );
    const { data: page, isLoading } = useLiveSearch(
      props.db,
      'service_types',
      () => ({
        index: 'byToken',
        text: props.text,
        pageSize: 2,
        count: true,
        ...(after.value === undefined ? {} : { after: after.value }),
      }),
      [],
      { keepPreviousData: true },
    );
    return () =>
      h('section', [
        h('p', { 'data-testid': 'rows' }, page.value?.items.map((st) => st.id).join(',') ?? '…'),
        h('p', { 'data-testid': 'total' }, isLoading.value ? '…' : String(page.value?.total)),
        h(
          'button',
          {
            'data-testid': 'next',
            disabled: page.value?.nextCursor === undefined,
            onClick: () => {
              after.value = page.value?.nextCursor;
            },
          },
          'Next',
        ),
      ]);
  },
});

it('searches, pages with the cursor, follows the text, and updates when the store changes', async () => {
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
  const view = mount(Picker, { props: { db, text: 'pump' } });
  mounted.push(view);
  const shown = (testId: string) => view.get(`[data-testid="${testId}"]`).text();
  await vi.waitFor(() => expect(shown('rows')).toBe('st-1,st-2'));
  expect(shown('total')).toBe('3');

  await view.get('[data-testid="next"]').trigger('click');
  await vi.waitFor(() => expect(shown('rows')).toBe('st-3'));

  await view.setProps({ text: 'repair' });
  await vi.waitFor(() => expect(shown('rows')).toBe('st-1,st-4'));

  await db.put('service_types', serviceType('st-0', 'Roof repair', 0), { localOnly: true });
  await vi.waitFor(() => expect(shown('total')).toBe('3'));
  expect(shown('rows')).toBe('st-0,st-1');
});
