import assert from 'node:assert/strict';
import type { Database } from '../../server/db/database.js';
import { lockSequence } from '../../server/sync/records.js';
import { defineScenario } from '../harness/scenario.js';
import { startScenarioServer } from './support/reference-server.js';
import type * as page from './sync-app.page.js';

/**
 * Records in the synced set: the 100k, in pages of 5,000 (fewer round trips and transactions,
 * as an app syncing 100k would use). `E2E_FULL_SYNC_RECORDS` and `E2E_FULL_SYNC_WINDOW` set others
 * (records a multiple of 16 × the page size), for a quick run while working on the scenario.
 */
const records = Number(process.env.E2E_FULL_SYNC_RECORDS ?? 100_000);
const windowSize = Number(process.env.E2E_FULL_SYNC_WINDOW ?? 5_000);
const pickerPage = 20;

/**
 * A new data set on the server: every service type gets a new name ('New …') and a new revision, in
 * one statement (as the seed does: one transaction holding the sequence lock, revisions after it).
 */
async function publishNewNames(db: Database): Promise<void> {
  await db.transaction(async (tx) => {
    const base = await lockSequence(tx, 'service_types', '');
    const { rows } = await tx.query<{ n: unknown }>(
      `WITH renamed AS (
         UPDATE records r
            SET rev = $1::bigint + o.n, value = jsonb_set(r.value, '{name}', to_jsonb('New ' || (r.value->>'name'))),
                written_by = NULL, updated_at = now()
           FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM records
                  WHERE collection = 'service_types' AND owner = '' AND NOT deleted) AS o
          WHERE r.collection = 'service_types' AND r.owner = '' AND r.id = o.id
         RETURNING 1)
       SELECT count(*) AS n FROM renamed`,
      [base],
    );
    await tx.query(
      `UPDATE collection_seq SET seq = seq + $1 WHERE collection = 'service_types' AND owner = ''`,
      [Number(rows[0]?.n)],
    );
  });
}

export default defineScenario<typeof page>({
  title:
    'reload in the middle of a 100k full sync resumes from the last page; the picker shows the old data until the new set is complete',
  page: 'sync-app',
  persistent: true,
  // On disk in both engines: WebKit's automation store is in memory, where 100k indexed records are
  // slow to rewrite and a reloaded page could not reopen the database in time (runs of 32k and 40k).
  storage: 'disk',
  // Two syncs of 100k on a busy 2-core machine: minutes, so the run's own bound grows with it.
  timeoutMs: 480_000,
  runBudgetMs: 480_000,
  async run({ tab, note }) {
    /** Names starting with 'Emergency' in the seed: one adjective in 16. */
    const emergencies = records / 16;
    const t = performance.now();
    const elapsed = () => Math.round(performance.now() - t);
    const server = await startScenarioServer({ maxWindowSize: windowSize });
    try {
      await server.seedServiceTypes(records);
      const token = await server.user('ana');
      note(`server started and ${records} records seeded: ${elapsed()} ms`);
      // Pages of 5000 on a busy machine: more than the default 15 s per request when the CPU is shared.
      const config = {
        dbName: 'reload-100k',
        serverPath: server.path,
        token,
        windowSize,
        requestTimeoutMs: 60_000,
      };
      await tab.run('openApp', config);
      // The old data set, synced the way an app gets it: a first full sync.
      const first = await tab.run('sync');
      assert.equal(first.outcome, 'ok', JSON.stringify(first.error));
      assert.equal(first.fetched.service_types, records);
      note(`first full sync of ${records} records in pages of ${windowSize}: ${first.ms} ms`);

      const tNew = performance.now();
      await publishNewNames(server.db);
      note(`new data set published on the server: ${Math.round(performance.now() - tNew)} ms`);

      // A forced full sync, interrupted by a reload once half of the pages are written.
      const half = Math.floor(records / windowSize / 2) * windowSize;
      const t0 = performance.now();
      const reached = await tab.run('syncUntil', 'service_types', half, { full: ['service_types'] });
      note(`reload after ${reached.done} records written (${Math.round(performance.now() - t0)} ms)`);
      await tab.reload();
      await tab.run('openApp', config);

      // Meanwhile the picker shows every record: rewritten pages (ids up to the checkpoint's cursor)
      // with their new names, the others still with their old ones, page by page as the server says.
      const stored = await tab.run('storedState', 'service_types');
      const cursor = stored.checkpoint?.cursor;
      assert.equal(stored.checkpoint?.phase, 'snapshot');
      assert.ok(typeof cursor === 'string', 'the interrupted sync saved its cursor');
      assert.equal(stored.count, records, 'nothing cleared: unwritten pages keep the old data');
      /** The picker's expected ids for `prefix`, from the server: records rewritten or not yet (or all). */
      const expected = async (prefix: string, written?: boolean) => {
        const { rows } = await server.db.query<{ id: string }>(
          `SELECT id FROM records WHERE collection = 'service_types' AND NOT deleted
             AND value->>'name' LIKE 'New Emergency%' AND ($2::boolean IS NULL OR (id <= $1::text) = $2)
           ORDER BY substr(value->>'name', $3::int) COLLATE "C", id COLLATE "C"`,
          [cursor, written ?? null, prefix === 'New Emergency' ? 1 : 5],
        );
        return rows.map((row) => row.id);
      };
      for (const [prefix, written] of [
        ['Emergency', false],
        ['New Emergency', true],
      ] as const) {
        const ids = await expected(prefix, written);
        assert.ok(ids.length > 2 * pickerPage, `${prefix}: several picker pages`);
        const lastPage = Math.floor((ids.length - 1) / pickerPage);
        for (const n of [0, 1, lastPage]) {
          const shown = await tab.run('search', prefix, n, pickerPage);
          assert.equal(shown.total, ids.length, `${prefix}: matches`);
          assert.deepEqual(
            shown.ids,
            ids.slice(n * pickerPage, (n + 1) * pickerPage),
            `${prefix}: page ${n}`,
          );
          assert.ok(shown.names.every((name) => name.startsWith(prefix)));
        }
      }
      const oldShown = (await tab.run('search', 'Emergency', 0, 1)).total;
      assert.equal(oldShown + (await tab.run('search', 'New Emergency', 0, 1)).total, emergencies);

      // The next run resumes from the last written page instead of starting over.
      await tab.run('trackProgress');
      const resumed = await tab.run('sync');
      assert.equal(resumed.outcome, 'ok', JSON.stringify(resumed.error));
      assert.deepEqual(resumed.plans.service_types, { mode: 'full', reasons: ['resume'] });
      const fetched = resumed.fetched.service_types ?? 0;
      const written = stored.checkpoint?.done ?? 0;
      assert.ok(written >= reached.done, `the checkpoint counts the ${reached.done} records written`);
      assert.equal(fetched, records - written, `resumed after ${written}: only the pages after it`);
      const progress = (await tab.run('progressEvents')).filter((p) => p.collection === 'service_types');
      assert.ok((progress[0]?.done ?? 0) > reached.done - 1, 'progress continues from where it was');
      assert.equal(progress.at(-1)?.done, records);
      note(
        `interrupted after ${reached.done}, resumed run fetched ${fetched} in ${resumed.ms} ms; ` +
          `forced full sync with the reload: ${Math.round(performance.now() - t0)} ms`,
      );

      // Complete: the new set only.
      assert.equal((await tab.run('storeCounts')).service_types, records);
      assert.equal((await tab.run('search', 'Emergency', 0, pickerPage)).total, 0);
      const done = await tab.run('search', 'New Emergency', 0, pickerPage);
      assert.equal(done.total, emergencies);
      assert.deepEqual(done.ids, (await expected('New Emergency')).slice(0, pickerPage));
      await tab.run('closeApp');
      note(`whole scenario: ${elapsed()} ms`);
    } finally {
      await server.close();
    }
  },
});
