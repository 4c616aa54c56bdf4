import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { uniqueDbName } from '../sync/test-database.js';
import {
  type CodeKind,
  checkCodes,
  codeValue,
  expectCodes,
  type ServerCode,
} from './support/bad-records-world.js';
import type { Fault } from './support/chaos-transport.js';
import {
  changesAfterCheckpoint,
  dataBehindCheckpoint,
  FuzzApp,
  type FuzzServer,
  serverRecords,
} from './support/fuzz-world.js';
import { useFuzzServer } from './support/use-fuzz-server.js';

/**
 * Fuzzed convergence: random short sequences of local writes, server edits and purges, syncs under
 * injected faults, reloads, schema upgrades and server restarts on 3 clients; then the faults stop,
 * every client syncs, and the invariants are checked. The server's `codes` hold bad records (issue #14):
 * codes swapped and held twice against the client's unique index, records the client's transform
 * refuses, records over its size limit; every other record must still converge, each bad one be in
 * the skipped log with its reason, and leave it once fixed (by the app or the server). Runs: `FUZZ_RUNS` (default 1,000 on
 * fake-indexeddb, 30 on indexeddbshim); replay a failure with the printed `FUZZ_SEED` and `FUZZ_PATH`.
 */
const backend = globalThis.__IDB_BACKEND__;
const runs = Number(process.env['FUZZ_RUNS'] ?? (backend === 'indexeddbshim' ? 30 : 1000));
const seed = process.env['FUZZ_SEED'] === undefined ? undefined : Number(process.env['FUZZ_SEED']);
const path = process.env['FUZZ_PATH'];

/** The steps an `abandon` fault picks from: an undisturbed sync run of the fuzz takes 25 to 60. */
const ABANDON_STEPS = 60;
const ids = fc.constantFrom('a', 'b', 'c', 'd');
const client = fc.nat(2);
const fault: fc.Arbitrary<Fault> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'none' as const }) },
  fc.constant({ kind: 'offline' as const }),
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat(5) }),
  fc.record({ kind: fc.constant('lose' as const), at: fc.nat(5) }),
  fc.constant({ kind: 'duplicate' as const }),
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('abandon' as const), at: fc.nat(ABANDON_STEPS) }),
  },
);
type Op =
  | { t: 'write'; c: number; id: string; n: number }
  | { t: 'delete'; c: number; id: string }
  | { t: 'server-put'; collection: 'work_orders' | 'refs'; id: string; n: number }
  | { t: 'server-delete'; collection: 'work_orders' | 'refs' | 'codes'; id: string }
  | { t: 'server-code'; id: string; code: string; n: number; kind: CodeKind }
  | { t: 'server-swap'; a: string; b: string }
  | { t: 'purge' }
  | { t: 'sync'; c: number; fault: Fault }
  | { t: 'reload'; c: number }
  | { t: 'upgrade'; c: number }
  | { t: 'restart' };
const collection = fc.constantFrom('work_orders' as const, 'refs' as const);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant('write' as const), c: client, id: ids, n: fc.nat(9) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('delete' as const), c: client, id: ids }) },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant('server-put' as const), collection, id: ids, n: fc.nat(9) }),
  },
  fc.record({
    t: fc.constant('server-delete' as const),
    collection: fc.constantFrom('work_orders' as const, 'refs' as const, 'codes' as const),
    id: ids,
  }),
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('server-code' as const),
      id: ids,
      code: fc.constantFrom('x', 'y', 'z'),
      n: fc.nat(9),
      kind: fc.oneof(
        { weight: 4, arbitrary: fc.constant<CodeKind>('ok') },
        fc.constant<CodeKind>('poison'),
        fc.constant<CodeKind>('big'),
      ),
    }),
  },
  fc.record({ t: fc.constant('server-swap' as const), a: ids, b: ids }),
  { weight: 1, arbitrary: fc.constant({ t: 'purge' as const }) },
  { weight: 5, arbitrary: fc.record({ t: fc.constant('sync' as const), c: client, fault }) },
  fc.record({ t: fc.constant('reload' as const), c: client }),
  fc.record({ t: fc.constant('upgrade' as const), c: client }),
  { weight: 1, arbitrary: fc.constant({ t: 'restart' as const }) },
);

let server!: FuzzServer;
useFuzzServer((started) => {
  server = started;
});

let sequence = 0;

/** The app's records of `store`, as `{ id → value }` without revisions. */
async function localRecords(app: FuzzApp, store: string): Promise<Record<string, unknown>> {
  return Object.fromEntries(
    (await app.db.all(store)).map((r) => {
      const { _rev, ...rest } = r;
      return [String(r['id']), rest];
    }),
  );
}

/** The server's alive `codes` of `user` with their revisions. */
async function serverCodes(user: string): Promise<Map<string, ServerCode>> {
  const { rows } = await server.db.query<{
    id: string;
    rev: string | number;
    value: Record<string, unknown>;
  }>(`SELECT id, rev, value FROM records WHERE collection = 'codes' AND owner = $1 AND NOT deleted`, [user]);
  return new Map(rows.map((r) => [r.id, { value: { ...r.value, id: r.id }, rev: String(r.rev) }]));
}

/** Checks every app's `codes` and whole skipped log against the server (see {@link checkCodes}). */
async function checkBadRecords(
  apps: readonly FuzzApp[],
  user: string,
  when: string,
  first = 0,
): Promise<void> {
  const codes = await serverCodes(user);
  for (const [i, app] of apps.entries()) {
    const label = `${when}: client ${first + i}`;
    const expected = expectCodes(codes, app.fixedTransform);
    checkCodes(label, await localRecords(app, 'codes'), await app.client.skippedRecords(), codes, expected);
  }
}

async function count(sql: string, params: unknown[]): Promise<number> {
  const { rows } = await server.db.query<{ n: number | string }>(sql, params);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Runs one sequence and fails it, like a broken invariant (so fast-check prints its seed and path),
 * when a promise rejected with no handler while it ran: in a browser, an "Uncaught (in promise)"
 * in every app's error tracker (e.g. idb's `done` promise of an aborted transaction nobody observed).
 */
async function runSequence(ops: readonly Op[]): Promise<void> {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  try {
    await runOps(ops);
  } finally {
    // Rejections of the last steps (closing the apps) surface once the microtasks ran.
    await new Promise((resolve) => setTimeout(resolve, 0));
    process.off('unhandledRejection', onUnhandled);
  }
  if (unhandled.length > 0) {
    const described = unhandled.map((reason) =>
      reason instanceof Error ? `${reason.name}: ${reason.message}\n${reason.stack ?? ''}` : String(reason),
    );
    throw new Error(
      `${unhandled.length} unhandled rejection(s) during the sequence:\n${described.join('\n')}`,
    );
  }
}

async function runOps(ops: readonly Op[]): Promise<void> {
  sequence += 1;
  const user = `fuzz-${backend}-${sequence}`;
  const token = (await server.admin.createUser(user)).token;
  const apps = [0, 1, 2].map((i) => new FuzzApp(server, uniqueDbName(`fuzz${i}`), token));
  /** Revisions written by server edits of work_orders. */
  const serverRevs = new Set<string>();
  try {
    for (const o of ops) {
      switch (o.t) {
        case 'write':
          await apps[o.c]!.db.put('work_orders', { id: o.id, n: o.n, by: o.c });
          break;
        case 'delete':
          await apps[o.c]!.db.delete('work_orders', o.id);
          break;
        case 'server-put': {
          const rev = await server.admin.putRecord(o.collection, o.id, { n: o.n, by: 'server' }, user);
          if (o.collection === 'work_orders') serverRevs.add(rev);
          break;
        }
        case 'server-delete':
          if ((await server.admin.getRecord(o.collection, o.id, user))?.deleted === false) {
            const rev = await server.admin.deleteRecord(o.collection, o.id, user);
            if (o.collection === 'work_orders') serverRevs.add(rev);
          }
          break;
        case 'server-code':
          await server.admin.putRecord('codes', o.id, codeValue(o.kind, o.code, o.n), user);
          break;
        case 'server-swap': {
          // Two ordinary edits: each record takes the other's code.
          const [a, b] = await Promise.all([o.a, o.b].map((id) => server.admin.getRecord('codes', id, user)));
          if (a?.value?.['code'] === undefined || b?.value?.['code'] === undefined) break;
          await server.admin.putRecord('codes', o.a, { ...a.value, code: b.value['code'] }, user);
          await server.admin.putRecord('codes', o.b, { ...b.value, code: a.value['code'] }, user);
          break;
        }
        case 'purge':
          await server.admin.compactTombstones({ olderThanMs: -1 });
          break;
        case 'sync': {
          const app = apps[o.c]!;
          app.transport.arm(o.fault);
          const died = await app.syncOrDie();
          app.transport.arm({ kind: 'none' });
          if (died) {
            await app.reload();
            // Checked after every crash: the saved checkpoint never runs ahead of the data.
            const rebuilt = await dataBehindCheckpoint(app, 'refs');
            if (rebuilt !== undefined) expect(rebuilt).toEqual(await serverRecords(server, 'refs', user));
          }
          break;
        }
        case 'reload':
          await apps[o.c]!.reload();
          break;
        case 'upgrade':
          await apps[o.c]!.reload(1);
          break;
        case 'restart':
          await server.restart();
          break;
      }
    }

    // The faults stop: every client syncs twice (the first round pushes, the second pulls the rest).
    // Client 2 pulls after its own push in the first round, so only 0 and 1 need a second one.
    for (const [round, clients] of [apps, apps.slice(0, 2)].entries()) {
      for (const app of clients) {
        const summary = await app.client.sync();
        expect(summary.error, `client ${apps.indexOf(app)} round ${round}`).toBeUndefined();
        expect(summary.outcome).toBe('ok');
      }
    }

    const expected = {
      work_orders: await serverRecords(server, 'work_orders', user),
      refs: await serverRecords(server, 'refs', user),
    };
    await checkBadRecords(apps, user, 'after the faults');
    // No collection is stuck (behind a bad record or backing off): each checkpoint is at the server's last change.
    for (const [i, app] of apps.entries()) {
      for (const collection of ['work_orders', 'refs', 'codes'])
        expect(await changesAfterCheckpoint(app, collection), `client ${i}: ${collection} stuck`).toBe(0);
    }
    const logged: { id: string | number }[] = [];
    const sent = new Set<number>();
    for (const app of apps) {
      expect(await app.client.pendingWrites(), 'pending writes').toBe(0);
      for (const store of ['work_orders', 'refs'] as const) {
        expect(await localRecords(app, store), `client ${apps.indexOf(app)} ${store}`).toEqual(
          expected[store],
        );
        const rebuilt = await dataBehindCheckpoint(app, store);
        if (rebuilt !== undefined) expect(rebuilt).toEqual(expected[store]);
      }
      logged.push(...(await app.client.conflictLog()));
      expect(app.allMismatches()).toEqual([]);
      for (const id of app.allSent()) sent.add(id * 10 + apps.indexOf(app));
    }

    const mine = `FROM mutation_results r JOIN clients c ON c.client_id = r.client_id WHERE c.user_id = $1`;
    // Every mutation sent was processed, once: no acknowledged write is lost.
    expect(await count(`SELECT count(*) AS n ${mine}`, [user]), 'mutations processed').toBe(sent.size);
    // Nothing applied twice: every change-log step is a server edit or the revision one applied
    // mutation answered with (a no-op, like deleting a deleted record, answers an existing revision).
    const { rows } = await server.db.query<{ rev: string }>(
      `SELECT DISTINCT r.result->>'rev' AS rev ${mine} AND r.result->>'status' = 'applied'`,
      [user],
    );
    const clientRevs = rows.map((r) => String(r.rev)).filter((rev) => !serverRevs.has(rev));
    const seq = await count(
      `SELECT seq AS n FROM collection_seq WHERE collection = 'work_orders' AND owner = $1`,
      [user],
    );
    expect(seq, `change-log steps (${clientRevs.length} by clients, ${serverRevs.size} by the server)`).toBe(
      clientRevs.length + serverRevs.size,
    );
    // Every conflict the server reported is in a conflict log. Writes queued on one record behind a
    // conflicting one conflict together and are logged once, with the latest local value.
    const { rows: conflicted } = await server.db.query<{ id: string | null }>(
      `SELECT r.result->'current'->>'id' AS id ${mine} AND r.result->>'status' = 'conflict'`,
      [user],
    );
    // Regression (seed -1517058402, run 663): a conflicting create followed by a local delete of the
    // same record used to leave no conflict log entry.
    expect(logged.length, 'conflicts logged').toBeLessThanOrEqual(conflicted.length);
    if (conflicted.length > 0) expect(logged.length, 'conflicts logged').toBeGreaterThan(0);
    const loggedIds = new Set(logged.map((e) => e.id));
    for (const { id } of conflicted)
      if (id !== null) expect(loggedIds, `conflict on ${id} logged`).toContain(id);

    // When there are bad records (only then, to keep the fuzz fast): the app ships a transform that
    // takes poison records, and client 2 stores them from its log without refetching. Then the server
    // fixes every bad record (unique codes, no padding, no poison), and a plain, a full and a retrying
    // pull of `codes` each leave a client with every record and an empty log.
    const before = await serverCodes(user);
    const bad = expectCodes(before, false);
    if (Object.values(bad.skipped).includes('transform-failed')) {
      apps[2]!.fixedTransform = true;
      const retried = await apps[2]!.client.sync({ retrySkipped: ['codes'], collections: ['codes'] });
      expect(retried.outcome, 'retrySkipped').toBe('ok');
      await checkBadRecords(apps.slice(2), user, 'after the fixed transform', 2);
    }
    const toFix = [...Object.keys(bad.skipped), ...bad.clashes.flat()];
    for (const id of toFix) {
      const n = before.get(id)!.value['n'] as number;
      await server.admin.putRecord('codes', id, { code: `fixed-${id}`, n }, user);
    }
    if (toFix.length > 0) {
      const fixes = [{}, { full: ['codes'] }, { retrySkipped: ['codes'] }] as const;
      for (const [i, app] of apps.entries()) {
        const summary = await app.client.sync({ ...fixes[i], collections: ['codes'] });
        expect(summary.outcome, `client ${i} after the server's fixes`).toBe('ok');
      }
      await checkBadRecords(apps, user, "after the server's fixes");
    }
  } finally {
    for (const app of apps) await app.close();
  }
}

describe('fuzzed convergence', () => {
  it(
    `converges 3 clients and the server after random operations and faults (${runs} sequences)`,
    async () => {
      const started = performance.now();
      await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 15 }), runSequence), {
        numRuns: runs,
        ...(seed === undefined ? {} : { seed }),
        ...(path === undefined ? {} : { path }),
        endOnFailure: true,
        verbose: 1,
      });
      const seconds = (performance.now() - started) / 1000;
      // biome-ignore lint/suspicious/noConsole: the wall time is a figure CI reports.
      console.info(`fuzzed convergence (${backend}): ${runs} sequences in ${seconds.toFixed(1)} s`);
    },
    Math.max(1_800_000, runs * 5_000),
  );
});
