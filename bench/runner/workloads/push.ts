import type * as page from '../../page/workloads/push.page.js';
import { isShaped } from '../network/profiles.js';
import { recordTraffic } from '../network/traffic-figures.js';
import { median, p95 } from '../stats.js';
import { rotate, type Workload } from '../workload.js';

/** Mutations per push request (the reference server's default `maxMutationsPerPush`). */
const PUSH_BATCH = 500;
/** Records of the batch write (`queue-batch`): one call, one transaction. */
const WRITE_BATCH = 1_000;

export const pushWorkload: Workload = {
  id: 'push',
  title: 'Local writes: queue each write, then push until all are acknowledged',
  network: true,
  async run(ctx) {
    const { session, tab } = await ctx.openSession<typeof page>('push');
    try {
      const { runs, changes } = ctx.options;
      const access = { token: ctx.server.token };
      const impls: page.PushImpl[] = ['raw', 'rxdb', 'idb-sync'];
      await tab.run('setup', access, PUSH_BATCH);
      await ctx.network.forEachProfile(async () => {
        for (let run = 0; run < runs; run += 1) {
          for (const impl of rotate(impls, run)) {
            await ctx.guard(impl, async () => {
              const prefix = `wo-${ctx.engine.name}-${ctx.engine.storage}-${ctx.network.profile.id}-${impl}-${run}`;
              const times = await tab.run('queueWrites', impl, prefix, changes);
              // Queueing is local: its figures come from loopback only (the network does not change them).
              if (!isShaped(ctx.network.profile)) {
                ctx.record(impl, 'queue-per-write', 'ms', median(times));
                ctx.record(impl, 'queue-per-write-p95', 'ms', p95(times));
                ctx.record(
                  impl,
                  'queue-all',
                  'ms',
                  times.reduce((a, b) => a + b, 0),
                );
              }
              const before = await ctx.server.server.admin.countRecords('work_orders', 'bench');
              const measured = await ctx.network.measure(`${impl} run ${run + 1}`, () =>
                tab.run('pushAll', impl, access, PUSH_BATCH),
              );
              const ms = measured.value;
              const after = await ctx.server.server.admin.countRecords('work_orders', 'bench');
              if (after - before !== changes) {
                throw new Error(
                  `${impl}: the server gained ${after - before} work orders, expected ${changes}`,
                );
              }
              ctx.record(impl, 'push-until-acknowledged', 'ms', ms);
              recordTraffic(ctx, impl, measured, { items: changes, ms });
              ctx.log(
                `${impl} run ${run + 1}: queue median ${median(times).toFixed(3)} ms/write, push ${ms.toFixed(0)} ms`,
              );
              if (!isShaped(ctx.network.profile)) {
                // A batch of new records in one call, then pushed (untimed) so the next run starts empty.
                const batch = await tab.run('queueBatch', impl, `${prefix}-batch`, WRITE_BATCH);
                ctx.record(impl, 'queue-batch', 'ms', batch.batch);
                if (batch.recordsOnly !== undefined) {
                  ctx.record(impl, 'queue-batch-records-only', 'ms', batch.recordsOnly);
                }
                const pushed = await ctx.server.server.admin.countRecords('work_orders', 'bench');
                await tab.run('pushAll', impl, access, PUSH_BATCH);
                const gained = (await ctx.server.server.admin.countRecords('work_orders', 'bench')) - pushed;
                if (gained !== WRITE_BATCH) {
                  throw new Error(`${impl}: the batch pushed ${gained} work orders, expected ${WRITE_BATCH}`);
                }
                ctx.log(
                  `${impl} run ${run + 1}: batch of ${WRITE_BATCH} ${batch.batch.toFixed(1)} ms` +
                    (batch.recordsOnly === undefined
                      ? ''
                      : ` (records only ${batch.recordsOnly.toFixed(1)} ms)`),
                );
              }
            });
          }
        }
      });
      ctx.note(
        `each run: ${changes} work orders written one at a time, then pushed in batches of ${PUSH_BATCH}; ` +
          `on loopback then one batch write of ${WRITE_BATCH} new work orders (pushed untimed)`,
      );
    } finally {
      await session.close();
    }
  },
};
