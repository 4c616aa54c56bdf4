import type { WorkloadContext } from '../workload.js';
import { isShaped } from './profiles.js';
import type { Exchange, TrafficSummary } from './shaping-link.js';

/**
 * Records what one measured step of `impl` moved over the link: wire bytes per item (`items`: the
 * records synced, changes pulled or writes pushed), both directions, headers included, as the link
 * forwarded them; the requests; the server's time (first response byte after the last request
 * byte, summed over the requests); and on a shaped profile, how much of the step's `ms` the downlink
 * and the uplink spent sending, and the link's worst release lateness (its own timers, a loaded
 * machine).
 */
export function recordTraffic(
  ctx: WorkloadContext,
  impl: string,
  measured: { traffic: TrafficSummary; exchanges: readonly Exchange[] },
  { items, ms }: { items: number; ms: number },
): void {
  const { traffic, exchanges } = measured;
  ctx.record(impl, 'wire-bytes/record', 'bytes/record', (traffic.upBytes + traffic.downBytes) / items);
  ctx.record(impl, 'wire-down-bytes/record', 'bytes/record', traffic.downBytes / items);
  ctx.record(impl, 'requests', 'count', traffic.requests);
  ctx.record(impl, 'server-time', 'ms', serverMs(exchanges));
  if (isShaped(ctx.network.profile)) {
    ctx.record(impl, 'downlink-busy', '%', (traffic.downBusyMs / ms) * 100);
    ctx.record(impl, 'uplink-busy', '%', (traffic.upBusyMs / ms) * 100);
    ctx.record(impl, 'shaper-late-max', 'ms', traffic.lateMsMax);
  }
}

/** The server's time over `exchanges`: last request byte delivered to first response byte, summed. */
function serverMs(exchanges: readonly Exchange[]): number {
  let total = 0;
  for (const e of exchanges) {
    if (e.requestDeliveredAt !== undefined && e.responseStartedAt !== undefined) {
      total += Math.max(0, e.responseStartedAt - e.requestDeliveredAt);
    }
  }
  return total;
}
