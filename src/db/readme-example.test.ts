// The first example of docs/database.md (once the README's "Databases (defineDatabase)"), run as
// written (with a unique name).
import { expect, it, vi } from 'vitest';
import { uniqueName } from '../../test/db/test-support.js';
import { type DBSchema, defineDatabase } from '../index.js';

interface AppSchema extends DBSchema {
  service_types: {
    key: number;
    value: { id: number; code: string; tokens: string[] };
    indexes: { byCode: string; byToken: string };
    kind: 'lookup';
  };
  work_orders: { key: string; value: { id: string; title: string; status: string }; kind: 'transactional' };
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
            keyType: 'number',
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

  // Not in the README: a lookup record, as a pull would bring it (local-only writes say so).
  await appDb.put('service_types', { id: 1, code: 'PUMP', tokens: ['pump'] }, { localOnly: true });

  await appDb.put('work_orders', { id: 'wo-1', title: 'Replace pump', status: 'open' }); // synced
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
  // Both work order writes are queued for the server, in the transactions that wrote them.
  expect(await appDb.count('_outbox')).toBe(2);
  // A newer release in "another tab" makes this one say reload.
  const newer = defineDatabase({
    name: appDb.name,
    versions: [{ version: 2, stores: { work_orders: { keyPath: 'id', kind: 'transactional' } } }],
  });
  await newer.open();
  expect(warn).toHaveBeenCalledWith('A newer version was loaded: reload');
  subscription.unsubscribe();
  warn.mockRestore();
  await newer.close();
});
