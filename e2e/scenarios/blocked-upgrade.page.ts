// Tab A keeps a raw v1 connection that ignores versionchange; tab B's handle wants v2.
import { defineDatabase, isIdbSyncError } from '../../src/index.js';
import { openRaw } from './support/describe-database.js';
import { rawConnectionOf } from './support/raw-connection.js';
import { task, v1, v2, within } from './support/versions.js';

let raw: IDBDatabase | undefined;
let handle: ReturnType<typeof defineDatabase> | undefined;
const states: string[] = [];

/** Tab A: creates the database at v1 through the SDK, closes it, then holds a raw connection. */
export async function holdRawConnectionAtV1(name: string) {
  const db = defineDatabase({ name, versions: [v1] });
  await db.put('tasks', task(1));
  await db.close();
  // Deliberately no onversionchange handler: this connection never closes by itself.
  raw = await openRaw(name);
  return { version: raw?.version };
}

/** Tab A: finally lets go of the raw connection. */
export function releaseRawConnection() {
  raw?.close();
  raw = undefined;
}

/** Tab B: opens v2 with `blockedTimeoutMs`; reports how and when the open ended, and the state. */
export async function openV2(name: string, blockedTimeoutMs: number) {
  const db = defineDatabase({ name, versions: [v1, v2], blockedTimeoutMs });
  handle = db;
  db.state$.subscribe((state) => states.push(state));
  let isUpgradeBlocked = false;
  const result = await within(
    db.open().catch((error: unknown) => {
      isUpgradeBlocked = isIdbSyncError(error, 'UPGRADE_BLOCKED');
      throw error;
    }),
    blockedTimeoutMs + 10_000,
  );
  return { outcome: result.outcome, result, isUpgradeBlocked, state: states.at(-1), states };
}

/** Tab B, after tab A let go: the same handle's next operation opens v2 and keeps the data. */
export async function retry(boundMs: number) {
  if (!handle) throw new Error('openV2 first');
  const db = handle;
  const result = await within(
    db.count('tasks').then(async (tasks) => ({ tasks, version: (await rawConnectionOf(db)).version })),
    boundMs,
  );
  return { result, state: states.at(-1) };
}
