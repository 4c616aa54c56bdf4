import { firstValueFrom, from, skip } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { simulateConnectionLoss, within } from '../db/test-support.js';
import type { Abandonment } from './support/abandonment.js';
import { checkInvariants, driftedWorld, driftedWorldRun } from './support/drifted-world.js';
import type { FuzzServer } from './support/fuzz-world.js';
import { useFuzzServer } from './support/use-fuzz-server.js';

/**
 * The browser closes the IndexedDB connection under a running sync (Safari's "connection to
 * Indexed Database server lost", or other code closing it), at a step of the run: between pages of
 * the red sync, during a push, in the middle of a transaction. The same client instance carries on
 * (its handle reopens), the run completes (or fails with a typed error, and the client's automatic
 * retry a second later completes), and nothing is lost: the client equals the server, the
 * outbox reached the server once, the checkpoints are not ahead of the data. Every `stride`-th step
 * of the run of {@link driftedWorld} is tried, in two ways of losing the connection.
 */
const backend = globalThis.__IDB_BACKEND__;
const stride = backend === 'indexeddbshim' ? 16 : 4;
const bound = 10_000;

let server!: FuzzServer;
useFuzzServer((started) => {
  server = started;
});

/** The instance's current connection (the last one it opened). */
function current(abandonment: Abandonment): IDBDatabase | undefined {
  return [...abandonment.connections].at(-1);
}

const losses = {
  /** Forced close with a `close` event (transactions in flight abort on fake-indexeddb). */
  'lost with a close event': (a: Abandonment) => {
    const db = current(a);
    if (db) simulateConnectionLoss(db);
  },
  /** Closed without any event: the next transaction on it throws InvalidStateError. */
  'closed without an event': (a: Abandonment) => current(a)?.close(),
};

describe('a connection closed under a running sync', () => {
  for (const [how, lose] of Object.entries(losses)) {
    it(`completes the run with every record, checkpoint and outbox write when the connection is ${how} (every ${stride}th step, ${backend})`, async () => {
      const undisturbed = await driftedWorld(server, 'conn-count');
      undisturbed.app.transport.arm({ kind: 'none' });
      await within(undisturbed.app.client.sync(driftedWorldRun), bound, 'the undisturbed run');
      const steps = undisturbed.app.transport.abandonment.steps;
      await undisturbed.app.close();

      const failed: string[] = [];
      for (let k = 0; k < steps; k += stride) {
        const w = await driftedWorld(server, 'conn-lost');
        try {
          const abandonment = w.app.transport.abandonment;
          w.app.transport.arm({ kind: 'none' });
          let lost = false;
          abandonment.arm(k, () => {
            lost = true;
            lose(abandonment);
          });
          // The run completes, or it fails with a typed error and the client's automatic retry does.
          const next = firstValueFrom(from(w.app.client.runs$).pipe(skip(1)), { defaultValue: undefined });
          const summary = await within(w.app.client.sync(driftedWorldRun), bound, 'the run');
          expect(lost, 'the connection was closed during the run').toBe(true);
          if (summary.outcome !== 'ok') {
            failed.push(`${k}: ${summary.error?.code}`);
            expect(summary.error?.code, 'a typed error').toMatch(/^[A-Z_]+$/);
            const retried = await within(next, bound, 'the automatic retry');
            expect(retried?.error).toBeUndefined();
            expect(retried?.outcome).toBe('ok');
          }
          await checkInvariants(server, w);
        } catch (error) {
          throw new Error(`connection ${how} at step ${k} of ${steps}: ${String(error)}`, { cause: error });
        } finally {
          await w.app.close();
        }
      }
      // biome-ignore lint/suspicious/noConsole: which steps needed the retry is worth seeing.
      console.info(
        `connection ${how} (${backend}): ${steps} steps, retried after ${failed.join(', ') || 'none'}`,
      );
    }, 600_000);
  }
});
