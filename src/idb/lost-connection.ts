import type { Connection } from './connection.js';

/**
 * Waits for `finished`; resolves `true` instead when the connection was dropped (`close` event)
 * and the transaction still had not finished `graceMs` later. Safari can drop its IndexedDB
 * connection without ever finishing the transactions on it; a close normally aborts or completes
 * them right away, so the grace period only runs out on such a hang.
 */
export async function finishedOrLost(
  finished: Promise<unknown>,
  connection: Connection,
  graceMs: number,
): Promise<boolean> {
  let grace: ReturnType<typeof setTimeout> | undefined;
  let decided = false;
  const lost = await Promise.race([
    finished.then(() => false),
    connection.lost.then(
      () =>
        new Promise<boolean>((resolve) => {
          if (!decided) grace = setTimeout(() => resolve(true), graceMs);
        }),
    ),
  ]);
  decided = true;
  clearTimeout(grace);
  return lost;
}
