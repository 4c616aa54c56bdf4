// The README's "Databases (defineDatabase)" example, run as written (with a unique name).
import { expect, it, vi } from 'vitest';
import { uniqueName } from '../../test/db/test-support.js';
import { type DBSchema, defineDatabase } from '../index.js';

interface AppSchema extends DBSchema {
  service_types: {
    key: number;
    value: { id: number; code: string; tokens: string[] };
    indexes: { byCode: string; byToken: string };
  };
  work_orders: { key: string; value: { id: string; title: string; status: string } };
}

it('runs the README example', async () => {
  const appDb = defineDatabase<AppSchema>({
    name: uniqueName('field-app'),
    versions: [
      {
        version: 1,
        stores: {
          service_types: {
            keyPath: 'id',
            kind: 'lookup',
            indexes: {
              byCode: { keyPath: 'code', unique: true },
              byToken: { keyPath: 'tokens', multiEntry: true },
            },
          },
          work_orders: { keyPath: 'id', kind: 'transactional' },
        },
      },
    ],
  });

  await appDb.put('work_orders', { id: 'wo-1', title: 'Replace pump', status: 'open' });
  await appDb.put('service_types', { id: 1, code: 'PUMP', tokens: ['pump'] });
  const pump = await appDb.read(['service_types'], (tx) =>
    tx.objectStore('service_types').index('byCode').get('PUMP'),
  );
  await appDb.write(
    ['work_orders'],
    (tx) => {
      tx.objectStore('work_orders').put({ id: 'wo-2', title: 'Check valve', status: 'open' });
    },
    { durability: 'relaxed' },
  );
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const subscription = appDb.events$.subscribe((event) => {
    if (event.type === 'versionchange' && event.reloadRequired)
      console.warn('A newer version was loaded: reload');
  });

  expect(pump).toEqual({ id: 1, code: 'PUMP', tokens: ['pump'] });
  expect(await appDb.count('work_orders')).toBe(2);
  // A newer release in "another tab" makes this one say reload.
  const newer = defineDatabase({
    name: appDb.name,
    versions: [{ version: 2, stores: { work_orders: { keyPath: 'id', kind: 'transactional' } } }],
  });
  await newer.db();
  expect(warn).toHaveBeenCalledWith('A newer version was loaded: reload');
  subscription.unsubscribe();
  warn.mockRestore();
  await newer.close();
});
