import type { DBSchema } from 'idb';
import { describe, expectTypeOf, it } from 'vitest';
import type { DatabaseHandle } from '../db/define-database.js';
import type { ConnectionKind, PullOutcome } from '../listeners/pull-signal.js';
import type { Observable } from '../rx/observable.js';
import type { SyncTransport } from '../transport/sync-transport.js';
import { createSyncClient, type LiveSyncClient, type SyncClient } from './sync-client.js';

interface Schema extends DBSchema {
  work_orders: { key: string; value: { id: string; title: string } };
}
declare const db: DatabaseHandle<Schema>;
declare const transport: SyncTransport;

describe('createSyncClient forms', () => {
  it('the one-call form gives a LiveSyncClient with connection$, typed with the schema', () => {
    const client = createSyncClient({ database: db, url: 'https://sync.example.com', getToken: () => 't' });
    expectTypeOf(client).toEqualTypeOf<LiveSyncClient<Schema>>();
    expectTypeOf(client.connection$).toEqualTypeOf<Observable<ConnectionKind>>();
    createSyncClient({
      database: db,
      url: new URL('https://sync.example.com/api'),
      retry: { initialMs: 500, maxMs: 30_000, maxRetryAfterMs: 60_000, requestRetries: 1 },
      transports: { websocket: false, pollIntervalMs: 10_000, upgradeAfterMs: 5_000 },
      environment: {
        online$: null as unknown as Observable<boolean>,
        visible$: null as unknown as Observable<boolean>,
      },
    });
  });

  it('the advanced form gives a SyncClient; triggers may take the pull outcomes', () => {
    const client = createSyncClient({
      database: db,
      transport,
      triggers: (outcomes: Observable<PullOutcome>) => outcomes,
    });
    expectTypeOf(client).toEqualTypeOf<SyncClient<Schema>>();
    // @ts-expect-error connection$ belongs to the one-call form
    void client.connection$;
  });

  it('refuses a mix of both forms and the retired options', () => {
    // @ts-expect-error url and transport exclude each other
    createSyncClient({ database: db, url: 'https://sync.example.com', transport });
    // @ts-expect-error triggers belong to the advanced form
    createSyncClient({
      database: db,
      url: 'https://sync.example.com',
      triggers: transport as never as Observable<unknown>,
    });
    // @ts-expect-error retryDelayMs became retry: { initialMs, maxMs }
    createSyncClient({ database: db, transport, retryDelayMs: { initial: 1000 } });
    // @ts-expect-error one retry shape: no ky-style limit
    createSyncClient({ database: db, url: 'https://sync.example.com', retry: { limit: 2 } });
  });
});
