import { workOrder } from '../../page/lib/work-orders.js';
import type * as page from '../../page/workloads/first-useful-data.page.js';
import { currentLoad } from '../machine.js';
import type { Workload } from '../workload.js';

/** The demo's own collections for its user: 30 work orders and 50 customers. */
const WORK_ORDER_COUNT = 30;
const CUSTOMER_COUNT = 50;

let users = 0;

export const firstUsefulDataWorkload: Workload = {
  id: 'first-useful-data',
  title: "First useful data: the demo's first start (a large lookup, the user's work orders and customers)",
  network: true,
  async run(ctx) {
    // A user of its own (the push workload writes work orders for the bench user).
    users += 1;
    const { admin } = ctx.server.server;
    const userId = `first-data-${users}-${Date.now()}`;
    const { token } = await admin.createUser(userId);
    for (let i = 0; i < WORK_ORDER_COUNT; i += 1) {
      await admin.putRecord('work_orders', workOrder('wo', i).id, { ...workOrder('wo', i) }, userId);
    }
    for (let i = 0; i < CUSTOMER_COUNT; i += 1) {
      const id = `cu-${String(i + 1).padStart(5, '0')}`;
      await admin.putRecord('customers', id, { id, name: `Customer ${i + 1}`, city: 'Lyon' }, userId);
    }
    const { session, tab } = await ctx.openSession<typeof page>('first-useful-data');
    try {
      const { records, windowSize, runs } = ctx.options;
      const args: page.FirstUsefulDataArgs = {
        access: { token },
        windowSize,
        expected: { service_types: records, work_orders: WORK_ORDER_COUNT, customers: CUSTOMER_COUNT },
      };
      await ctx.network.forEachProfile(async () => {
        for (let run = 0; run < runs; run += 1) {
          await ctx.guard('idb-sync', async () => {
            const load = currentLoad();
            const { value } = await ctx.network.measure(`idb-sync run ${run + 1}`, () =>
              tab.run('firstUsefulData', args),
            );
            ctx.record('idb-sync', 'work-orders-readable', 'ms', value.workOrdersReadableMs);
            for (const [collection, ms] of Object.entries(value.readyMs)) {
              ctx.record('idb-sync', `ready: ${collection}`, 'ms', ms);
            }
            ctx.record('idb-sync', 'lookup-records-stored-then', 'count', value.lookupStoredThen);
            ctx.record('idb-sync', 'time', 'ms', value.totalMs);
            ctx.log(
              `idb-sync run ${run + 1} (load ${load.toFixed(1)}): work orders readable after ` +
                `${value.workOrdersReadableMs.toFixed(0)} ms (${value.lookupStoredThen} of ${records} ` +
                `service types stored then); ready ${Object.entries(value.readyMs)
                  .map(([c, ms]) => `${c} ${ms.toFixed(0)}`)
                  .join(', ')} ms; whole sync ${value.totalMs.toFixed(0)} ms`,
            );
          });
        }
      });
      ctx.note(
        `first sync of ${records} service types (lookup, pages of ${windowSize}), ${WORK_ORDER_COUNT} work orders and ${CUSTOMER_COUNT} customers into an empty database`,
      );
    } finally {
      await session.close();
    }
  },
};
