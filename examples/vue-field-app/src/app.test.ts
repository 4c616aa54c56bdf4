// The Vue example against the reference server: the list shows the user's work orders, an edit
// through its form is pending until a sync pushes it, the picker searches and pages.
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { type SyncFixture, startSyncFixture } from '../../../test/sync/sync-fixture.js';
import { deleteTestDatabase, uniqueDbName } from '../../../test/sync/test-database.js';
import { createFieldApp } from '../../shared/field-app.js';
import { FieldApp } from './app.js';

let fx: SyncFixture;
let token: string;
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  fx = await startSyncFixture();
  token = await fx.user('tech');
  for (let i = 1; i <= 3; i += 1)
    await fx.server.admin.putRecord(
      'work_orders',
      `wo-${i}`,
      { title: `order ${i}`, status: 'open' },
      'tech',
    );
  const names = ['Pump repair', 'Pump install', 'Boiler repair'];
  for (const [i, name] of names.entries())
    await fx.server.admin.putRecord('service_types', `st-${i}`, { code: `ST-${i}`, name, category: 'c' });
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});
afterAll(async () => {
  await fx?.close();
});

function start(): { view: VueWrapper; client: ReturnType<typeof createFieldApp>['client'] } {
  const { db, client } = createFieldApp({
    dbName: uniqueDbName('vue-field-app'),
    serverUrl: fx.server.url,
    token,
    transports: { WebSocket: WebSocket as never },
  });
  const view = mount(FieldApp, { props: { db, client } });
  cleanups.push(async () => {
    view.unmount();
    await client.close();
    await db.close();
    await deleteTestDatabase(db.name);
  });
  return { view, client };
}

const rows = (view: VueWrapper, testId: string) =>
  view.findAll(`[data-testid="${testId}"] li`).map((li) => li.text());

it('shows the work orders, keeps an edit pending until a sync pushes it', async () => {
  const { view, client } = start();
  expect((await client.sync()).outcome).toBe('ok');
  await vi.waitFor(() => expect(rows(view, 'work-orders')).toHaveLength(3));
  await vi.waitFor(() => expect(view.get('[data-testid="pending"]').text()).toBe('0'));

  await view.get('li[data-id="wo-2"] button.edit').trigger('click');
  await view.get('li[data-id="wo-2"] input[name="title"]').setValue('fixed offline');
  await view.get('li[data-id="wo-2"] button').trigger('click');
  await vi.waitFor(() => expect(view.get('li[data-id="wo-2"] .title').text()).toBe('fixed offline'));
  await vi.waitFor(() => expect(view.get('[data-testid="pending"]').text()).toBe('1'));

  expect((await client.sync()).push.applied).toBe(1);
  await vi.waitFor(() => expect(view.get('[data-testid="pending"]').text()).toBe('0'));
  expect((await fx.server.admin.getRecord('work_orders', 'wo-2', 'tech'))?.value).toMatchObject({
    title: 'fixed offline',
  });
});

it('searches the service types as the user types', async () => {
  const { view, client } = start();
  expect((await client.sync()).outcome).toBe('ok');
  await vi.waitFor(() => expect(rows(view, 'service-types')).toHaveLength(3));
  await view.get('input[type="search"]').setValue('pump');
  await flushPromises();
  await vi.waitFor(() =>
    expect(rows(view, 'service-types')).toEqual(['ST-0 Pump repair', 'ST-1 Pump install']),
  );
});
