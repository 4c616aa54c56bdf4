import { mount, type VueWrapper } from '@vue/test-utils';
import { afterEach, expect, it, vi } from 'vitest';
import { defineComponent, h, type PropType } from 'vue';
import { type FieldDatabase, fieldDatabase } from '../../test/bindings/field-app.js';
import { deleteTestDatabase } from '../../test/sync/test-database.js';
import { useDatabaseStatus } from './use-database-status.js';

const databases: FieldDatabase[] = [];
const mounted: VueWrapper[] = [];
afterEach(async () => {
  for (const wrapper of mounted.splice(0)) wrapper.unmount();
  const closing = databases.splice(0);
  for (const db of closing) await db.close();
  for (const name of new Set(closing.map((db) => db.name))) await deleteTestDatabase(name);
});

function track(db: FieldDatabase): FieldDatabase {
  databases.push(db);
  return db;
}

const Status = defineComponent({
  props: { db: { type: Object as PropType<FieldDatabase>, required: true } },
  setup(props) {
    const status = useDatabaseStatus(props.db);
    return () => {
      const { state, blocked, reloadRequired } = status.value;
      return h('p', `${state}${blocked ? ' blocked' : ''}${reloadRequired ? ' reload' : ''}`);
    };
  },
});

function show(db: FieldDatabase): VueWrapper {
  const wrapper = mount(Status, { props: { db } });
  mounted.push(wrapper);
  return wrapper;
}

it('says a reload is required once a newer app version (another tab) upgraded the database', async () => {
  const oldTab = track(fieldDatabase(undefined, 1));
  const view = show(oldTab);
  expect(view.text()).toBe('closed');
  await oldTab.open();
  await vi.waitFor(() => expect(view.text()).toBe('open'));

  const newTab = track(fieldDatabase(oldTab.name, 2));
  await newTab.open();
  await vi.waitFor(() => expect(view.text()).toBe('versionchange reload'));
  // A banner mounted later says so once mounted.
  const later = show(oldTab);
  await vi.waitFor(() => expect(later.text()).toBe('versionchange reload'));
});

it('says blocked while the upgrade waits for another tab, and open once that tab lets go', async () => {
  const v1 = track(fieldDatabase(undefined, 1));
  await v1.open();
  await v1.close();
  const held = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(v1.name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const v2 = track(fieldDatabase(v1.name, 2));
  const view = show(v2);
  const opened = v2.open();
  await vi.waitFor(() => expect(view.text()).toBe('blocked blocked'));
  held.close();
  await opened;
  await vi.waitFor(() => expect(view.text()).toBe('open'));
});
