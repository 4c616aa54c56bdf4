// The app's browser side: the SDK from the same tarball, bundled by the app's own build. It signs in,
// keeps `work_orders` live-synced (one call: WebSocket, else SSE, else polling), writes through the
// typed database handle, and exposes a few calls on `window` for test/packed-app/run.ts (the protocol
// of e2e/harness's drivers).
import { createSyncClient, type DBSchema, defineDatabase, type LiveSyncClient } from 'idb-sync';

export interface WorkOrder {
  id: string;
  title: string;
  status: 'open' | 'done' | 'cancelled';
  priority?: number;
  dueDate?: string | null;
}

interface FieldApp extends DBSchema {
  work_orders: { key: string; value: WorkOrder; kind: 'transactional' };
}

function open(userId: string) {
  return defineDatabase<FieldApp>({
    name: `field-app-${userId}`,
    versions: [{ version: 1, stores: { work_orders: { keyPath: 'id', kind: 'transactional' } } }],
  });
}

let session: { database: ReturnType<typeof open>; client: LiveSyncClient<FieldApp> } | undefined;

/** Signs in as `userId` (the app's own route) and starts syncing; resolves after the first sync. */
async function signIn(userId: string): Promise<number> {
  const answer = await fetch('/api/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  if (!answer.ok) throw new Error(`sign-in answered ${answer.status}`);
  const { token } = (await answer.json()) as { token: string };
  const database = open(userId);
  const client = createSyncClient({ database, url: `${location.origin}/sync`, getToken: () => token });
  await client.sync();
  await client.start();
  session = { database, client };
  return (await database.getAll('work_orders')).length;
}

/** The open channel (`'websocket'` when the app's server upgrades its socket), once one is. */
async function connection(timeoutMs = 10_000): Promise<string> {
  if (!session) throw new Error('not signed in');
  const { client } = session;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no connection')), timeoutMs);
    const subscription = client.connection$.subscribe((kind) => {
      if (kind === 'offline') return;
      clearTimeout(timer);
      queueMicrotask(() => subscription.unsubscribe());
      resolve(kind);
    });
  });
}

/** Creates a work order offline-first and resolves once the server has it. */
async function createWorkOrder(order: WorkOrder): Promise<void> {
  if (!session) throw new Error('not signed in');
  await session.database.put('work_orders', order); // the typed write is the synced write
  await session.client.whenIdle();
}

/** The work orders in IndexedDB now, by id. */
async function workOrders(): Promise<WorkOrder[]> {
  if (!session) throw new Error('not signed in');
  return session.database.getAll('work_orders');
}

/**
 * Waits until the work order `id` in IndexedDB has the fields of `expected` (`null`: is gone), as a
 * change made elsewhere reaches this page by itself; rejects after `timeoutMs`.
 */
async function waitForWorkOrder(id: string, expected: Partial<WorkOrder> | null, timeoutMs = 15_000) {
  if (!session) throw new Error('not signed in');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const order = await session.database.get('work_orders', id);
    const matches =
      expected === null
        ? order === undefined
        : order !== undefined &&
          Object.entries(expected).every(([field, value]) => order[field as keyof WorkOrder] === value);
    if (matches) return order ?? null;
    if (Date.now() > deadline)
      throw new Error(`work order ${id} is ${JSON.stringify(order)}, not ${JSON.stringify(expected)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function signOut(): Promise<void> {
  await session?.client.close();
  await session?.database.close();
  session = undefined;
}

const calls: Record<string, (...args: never[]) => Promise<unknown>> = {
  signIn,
  connection,
  createWorkOrder,
  workOrders,
  waitForWorkOrder,
  signOut,
};

Object.assign(window, {
  __idbSyncE2E: {
    scenario: 'packed-app',
    async run(name: string, args: readonly unknown[]): Promise<string> {
      try {
        const call = calls[name];
        if (!call) throw new Error(`no page call ${name}`);
        const value = await call(...(args as never[]));
        return JSON.stringify({ ok: true, value });
      } catch (error) {
        const { name: errorName = 'Error', message = String(error), stack } = error as Partial<Error>;
        return JSON.stringify({ ok: false, error: { name: errorName, message, stack } });
      }
    },
  },
  __idbSyncE2EReady: Promise.resolve('ready'),
});
