import { describe, expect, it } from 'vitest';
import { within } from '../db/test-support.js';
import { checkInvariants, driftedWorld, driftedWorldRun } from './support/drifted-world.js';
import type { FuzzServer } from './support/fuzz-world.js';
import { useFuzzServer } from './support/use-fuzz-server.js';

/**
 * A tab closed at any await of a sync run loses nothing. The run: an outbox of four writes (one of
 * them conflicting) pushed in two batches, an incremental pull of `refs` in three pages, and a red
 * sync of `work_orders` (clear, then refetch in pages). It is counted once undisturbed (S steps: every
 * IndexedDB event it awaits and every request before and after the network); then, for every k in
 * 0..S-1, a fresh world is killed at step k, a new instance opens the same IndexedDB and syncs with
 * no faults, and the invariants are checked. On indexeddbshim (SQLite, several times slower per
 * step) only every `stride`-th step is killed (0, stride, 2·stride…), to keep the suite's time.
 */
const backend = globalThis.__IDB_BACKEND__;
const stride = backend === 'indexeddbshim' ? 8 : 1;
const bound = 10_000;

let server!: FuzzServer;
useFuzzServer((started) => {
  server = started;
});

describe('abandonment at every await of a sync run', () => {
  it(`loses nothing when the tab dies at any step of a push, paged pull and red sync (every ${stride === 1 ? '' : `${stride}th `}step, ${backend})`, async () => {
    const undisturbed = await driftedWorld(server, 'abandon');
    undisturbed.app.transport.arm({ kind: 'none' });
    const summary = await within(undisturbed.app.client.sync(driftedWorldRun), bound, 'the undisturbed run');
    expect(summary.outcome).toBe('ok');
    const steps = undisturbed.app.transport.abandonment.steps;
    expect(
      summary.collections.find((c) => c.collection === 'refs')?.pages,
      'pages of refs',
    ).toBeGreaterThanOrEqual(3);
    await checkInvariants(server, undisturbed);
    await undisturbed.app.close();

    let killed = 0;
    for (let k = 0; k < steps; k += stride) {
      const w = await driftedWorld(server, 'abandon');
      try {
        w.app.transport.arm({ kind: 'abandon', at: k });
        const died = await within(w.app.syncOrDie(driftedWorldRun), bound, 'the run to be killed');
        if (died) killed += 1;
        await w.app.reload();
        const after = await within(w.app.client.sync(), bound, 'the sync after the reload');
        expect(after.error).toBeUndefined();
        expect(after.outcome).toBe('ok');
        await checkInvariants(server, w);
      } catch (error) {
        throw new Error(`killed at step ${k} of ${steps}: ${String(error)}`, { cause: error });
      } finally {
        await w.app.close();
      }
    }
    // Every chosen step was reached: the run is deterministic enough for the loop to mean something.
    expect(killed).toBe(Math.ceil(steps / stride));
    // biome-ignore lint/suspicious/noConsole: how many steps the run has is a figure worth seeing.
    console.info(`abandon-at-every-await (${backend}): ${steps} steps, killed at ${killed}`);
  }, 600_000);
});
