// The RxDB baseline: RxDB 17 on its free IndexedDB storage (`getRxStorageDexie`), with
// `replicateRxCollection` pulling the same server pages (and pushing local writes). Configured for
// speed within its documented options: no dev-mode, no schema validation, one instance (no
// BroadcastChannel, no leader election), event-reduce on (the default).
import { createRxDatabase, type RxCollection, type RxDatabase, type RxJsonSchema } from 'rxdb/plugins/core';
import { type RxReplicationState, replicateRxCollection } from 'rxdb/plugins/replication';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import type { Change, Mutation } from '../../../src/protocol/messages.js';
import { LOOKUP, type ServiceType } from './lookup-schema.js';
import { pullPage, push, type ServerAccess } from './server-pages.js';
import { WORK_ORDERS, type WorkOrder } from './work-orders.js';

const text = { type: 'string' } as const;
const strings = { type: 'array', items: { type: 'string' } } as const;

/**
 * The lookup schema. RxDB indexes cannot hold array elements, so the token index of the other
 * implementations has no RxDB equivalent: RxDB writes one index fewer (plus its own `_deleted` /
 * `_meta.lwt` indexes).
 */
const lookupSchema: RxJsonSchema<ServiceType> = {
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 32 },
    code: { type: 'string', maxLength: 32 },
    name: text,
    category: text,
    subcategory: text,
    tags: strings,
    tokens: strings,
    description: text,
    instructions: text,
    unit: text,
    price: { type: 'number' },
    durationMinutes: { type: 'integer' },
    active: { type: 'boolean' },
    supplierRef: text,
    createdAt: text,
    updatedAt: text,
  },
  required: ['id', 'code'],
  indexes: ['code'],
};

const workOrderSchema: RxJsonSchema<WorkOrder> = {
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 64 },
    title: text,
    status: text,
    priority: text,
    customerId: text,
    serviceTypeId: text,
    scheduledAt: text,
    notes: text,
    updatedAt: text,
  },
  required: ['id'],
};

/** An RxDB database with the lookup and work-order collections. */
export interface RxBench {
  readonly db: RxDatabase;
  readonly lookup: RxCollection<ServiceType>;
  readonly workOrders: RxCollection<WorkOrder>;
}

/** Creates (or reopens) the RxDB database `name`. */
export async function openRxBench(name: string): Promise<RxBench> {
  const db = await createRxDatabase({
    name,
    storage: getRxStorageDexie(),
    multiInstance: false,
    closeDuplicates: true,
    allowSlowCount: true,
  });
  const collections = await db.addCollections({
    [LOOKUP]: { schema: lookupSchema },
    [WORK_ORDERS]: { schema: workOrderSchema },
  });
  return {
    db,
    lookup: collections[LOOKUP] as unknown as RxCollection<ServiceType>,
    workOrders: collections[WORK_ORDERS] as unknown as RxCollection<WorkOrder>,
  };
}

type RxDoc<T> = T & { _deleted: boolean };

function toRxDoc(change: Change): RxDoc<ServiceType> {
  return change.op === 'put'
    ? ({ ...change.value, _deleted: false } as RxDoc<ServiceType>)
    : ({ id: change.id, _deleted: true } as RxDoc<ServiceType>);
}

/** Resolves when the replication finished its first pass; rejects on its first error (no retries). */
async function settle(state: RxReplicationState<unknown, unknown>): Promise<void> {
  let subscription: { unsubscribe(): void } | undefined;
  const failed = new Promise<never>((_, reject) => {
    subscription = state.error$.subscribe((error) => reject(error));
  });
  try {
    await Promise.race([state.awaitInitialReplication(), failed]);
  } finally {
    subscription?.unsubscribe();
    await state.cancel();
  }
}

/**
 * Runs one non-live pull replication of the lookup collection (from RxDB's stored checkpoint, so a
 * second call is incremental). The pull handler maps the server's pages; RxDB stops when a page
 * holds fewer documents than `batchSize`.
 */
export async function rxPull(rx: RxBench, access: ServerAccess, windowSize: number): Promise<void> {
  const state = replicateRxCollection<ServiceType, { token: string }>({
    collection: rx.lookup,
    replicationIdentifier: 'bench-lookup-pull',
    live: false,
    waitForLeadership: false,
    retryTime: 60_000,
    pull: {
      batchSize: windowSize,
      async handler(last, batchSize) {
        const page = await pullPage(access, LOOKUP, last?.token ?? null, batchSize);
        return { documents: page.changes.map(toRxDoc), checkpoint: { token: page.checkpoint } };
      },
    },
  });
  await settle(state as RxReplicationState<unknown, unknown>);
}

/**
 * Pushes the work orders written locally that the server has not acknowledged yet (non-live push
 * replication, batches of `batchSize`). Each batch is one `/v1/push`; `clientId` and a running
 * mutation id come from the caller.
 */
export async function rxPush(
  rx: RxBench,
  access: ServerAccess,
  clientId: string,
  nextMutationId: () => number,
  batchSize: number,
): Promise<void> {
  const state = replicateRxCollection<WorkOrder, unknown>({
    collection: rx.workOrders,
    replicationIdentifier: `bench-push-${clientId}`,
    live: false,
    waitForLeadership: false,
    retryTime: 60_000,
    push: {
      batchSize,
      async handler(rows) {
        const mutations: Mutation[] = rows.map((row) => {
          const { _deleted, ...value } = row.newDocumentState as RxDoc<WorkOrder>;
          return {
            mutationId: nextMutationId(),
            collection: WORK_ORDERS,
            id: value.id,
            op: _deleted ? 'delete' : 'put',
            baseRev: null,
            ...(_deleted ? {} : { value }),
          };
        });
        const answer = await push(access, { clientId, mutations });
        const refused = answer.results.filter((r) => r.status !== 'applied');
        if (refused.length > 0) throw new Error(`${refused.length} pushed work orders were not applied`);
        return [];
      },
    },
  });
  await settle(state as RxReplicationState<unknown, unknown>);
}
