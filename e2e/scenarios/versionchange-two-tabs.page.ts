// Two tabs of one app: tab A holds a v1 handle, tab B loads a newer release that opens v2.
import { filter, firstValueFrom, from } from 'rxjs';
import { defineDatabase } from '../../src/index.js';
import { task, v1, v2, within } from './support/versions.js';

type Handle = ReturnType<typeof defineDatabase>;

/** What this tab's handle went through, recorded from the moment it was defined. */
let handle: Handle | undefined;
const events: string[] = [];
const states: string[] = [];
let versionchange: Promise<unknown> | undefined;

function track(db: Handle): Handle {
  handle = db;
  // Subscribed before the first operation, so nothing the handle emits is missed.
  db.events$.subscribe((event) => events.push(event.type));
  db.state$.subscribe((state) => states.push(state));
  versionchange = firstValueFrom(from(db.events$).pipe(filter((event) => event.type === 'versionchange')));
  return db;
}

/** Tab A: opens v1 through a handle and writes a task. */
export async function openV1(name: string) {
  const db = track(defineDatabase({ name, versions: [v1], blockedTimeoutMs: 5_000 }));
  await db.put('tasks', task(1));
  return { count: await db.count('tasks'), state: states.at(-1) };
}

/** Tab B: the newer release opens v2 (and writes to its new store) while tab A's handle is open. */
export async function openV2(name: string, boundMs: number) {
  const db = track(defineDatabase({ name, versions: [v1, v2], blockedTimeoutMs: 5_000 }));
  const opened = await within(
    db.put('labels', { id: 'urgent' }, { localOnly: true }).then(async () => ({
      tasks: await db.count('tasks'),
      labels: await db.count('labels'),
      report: (await db.upgradeReports()).at(-1),
    })),
    boundMs,
  );
  return { opened, state: states.at(-1) };
}

/**
 * Tab A, after tab B's upgrade: did its handle see the versionchange, and does its next operation
 * settle (reopen, or reject with a typed error) within `boundMs` instead of hanging?
 */
export async function afterVersionchange(boundMs: number) {
  if (!handle || !versionchange) throw new Error('openV1 first');
  const event = await within(versionchange, boundMs);
  const next = await within(handle.count('tasks'), boundMs);
  return { event: event.outcome, next, events, states };
}
