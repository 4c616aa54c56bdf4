import { firstValueFrom, from } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { localState, type SyncFixture, serverState, startSyncFixture } from '../../test/sync/sync-fixture.js';
import { ServerError } from '../errors/server-error.js';
import type { RunSummary } from './run-summary.js';
import type { CollectionOptions } from './sync-options.js';

// Per-collection isolation (docs/guarantees.md): a collection whose pull fails for a reason of its
// own does not stop the other collections of the run; the summary says which failed and why; the
// failed one waits out its own backoff while the others keep syncing.

let fx: SyncFixture;
beforeAll(async () => {
  fx = await startSyncFixture();
});
afterAll(() => fx?.close());
afterEach(() => {
  vi.restoreAllMocks();
});

let users = 0;
async function newUser(): Promise<{ owner: string; token: string }> {
  users += 1;
  const owner = `iso${users}`;
  return { owner, token: await fx.user(owner) };
}

const collections: Record<string, CollectionOptions> = { parts: {}, work_orders: {} };
/** A server failing for `parts` alone (a broken filter, a bad row…), not for the connection. */
const partsFail = () => new ServerError('/v1/pull', 500, 'INTERNAL_ERROR', false, undefined);

function byCollection(summary: RunSummary) {
  return Object.fromEntries(summary.collections.map((c) => [c.collection, c]));
}

describe('a collection whose pull fails', () => {
  it('does not stop the other collections: they pull, the outbox is pushed, the summary names the failure', async () => {
    const { owner, token } = await newUser();
    const parts = await fx.seed('parts', 3, { prefix: `${owner}-p` });
    await fx.seed('work_orders', 3, { owner, prefix: 'wo' });
    const app = fx.app(token, { client: { collections, retry: { initialMs: 600_000 } } });
    const errors: unknown[] = [];
    app.client.errors$.subscribe((e) => errors.push(e));
    expect((await app.client.sync()).outcome).toBe('ok');

    await fx.server.admin.putRecord('parts', parts[0]!, { name: 'never arrives' });
    await fx.server.admin.putRecord('work_orders', 'wo001', { name: 'arrives' }, owner);
    await app.db.put('work_orders', { id: 'wo-local', name: 'pushed' });
    app.transport.failPullsOf.set('parts', partsFail);
    vi.spyOn(Math, 'random').mockReturnValue(0.5); // the backoff: half of initialMs

    const run = await app.client.sync();
    expect(run.outcome).toBe('error');
    expect(run.error).toMatchObject({ code: 'SERVER_ERROR' });
    const counts = byCollection(run);
    expect(counts['parts']).toMatchObject({ outcome: 'error', error: { code: 'SERVER_ERROR' }, change: 0 });
    expect(counts['work_orders']).toMatchObject({ outcome: 'ok', change: 1 });
    expect(counts['work_orders']!.error).toBeUndefined();
    expect(run.push.sent).toBe(1);
    expect(await localState(app.db, 'work_orders')).toEqual(
      await serverState(fx.server, 'work_orders', owner),
    );
    expect(((await app.db.get('parts', parts[0]!)) as { name: string }).name).not.toBe('never arrives');
    expect(errors).toEqual([expect.objectContaining({ code: 'SERVER_ERROR' })]);
    expect(await firstValueFrom(from(app.client.status$))).toBe('error');
  });

  it('backs off on its own: later runs skip it (backing-off) and keep pulling the others, until its delay passes or a full sync is asked', async () => {
    const { owner, token } = await newUser();
    const parts = await fx.seed('parts', 3, { prefix: `${owner}-p` });
    await fx.seed('work_orders', 3, { owner, prefix: 'wo' });
    const app = fx.app(token, { client: { collections, retry: { initialMs: 600_000 } } });
    await app.client.sync();
    app.transport.failPullsOf.set('parts', partsFail);
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    expect(byCollection(await app.client.sync())['parts']).toMatchObject({ outcome: 'error' });

    // Still failing on the server, but not asked again: the next run pulls the others only.
    await fx.server.admin.putRecord('work_orders', 'wo002', { name: 'still arrives' }, owner);
    const pullsBefore = app.transport.pulls.length;
    const next = await app.client.sync();
    expect(next.plans.find((p) => p.collection === 'parts')).toMatchObject({
      mode: 'skip',
      reasons: ['backing-off'],
    });
    expect(next.outcome).toBe('ok');
    expect(byCollection(next)['work_orders']).toMatchObject({ outcome: 'ok', change: 1 });
    expect(app.transport.pulls.slice(pullsBefore).map((p) => p.collection)).toEqual(['work_orders']);

    // A run that names it (sync({ collections })) tries it at once, backoff or not.
    const named = await app.client.sync({ collections: ['parts'] });
    expect(byCollection(named)['parts']).toMatchObject({ outcome: 'error', mode: 'incremental' });

    // The server is fixed; a full sync asked by the app runs at once and ends the backoff.
    app.transport.failPullsOf.clear();
    await fx.server.admin.putRecord('parts', parts[1]!, { name: 'fixed' });
    const full = await app.client.sync({ full: ['parts'] });
    expect(byCollection(full)['parts']).toMatchObject({ outcome: 'ok', mode: 'full' });
    expect(await localState(app.db, 'parts')).toEqual(await serverState(fx.server, 'parts'));
    const after = await app.client.sync();
    expect(after.plans.find((p) => p.collection === 'parts')).toMatchObject({ mode: 'incremental' });
  });

  it('is retried by the leading client once its own delay has passed', async () => {
    const { owner, token } = await newUser();
    const parts = await fx.seed('parts', 3, { prefix: `${owner}-p` });
    const app = fx.app(token, { client: { collections, retry: { initialMs: 400 } } });
    await app.client.sync();
    app.transport.failPullsOf.set('parts', partsFail);
    await fx.server.admin.putRecord('parts', parts[2]!, { name: 'after the retry' });
    const runs: RunSummary[] = [];
    app.client.runs$.subscribe((r) => runs.push(r));
    await app.client.start();
    await vi.waitFor(() =>
      expect(runs.some((r) => byCollection(r)['parts']?.outcome === 'error')).toBe(true),
    );
    app.transport.failPullsOf.clear();
    // No write, no poke: only the collection's own backoff timer runs it again.
    await vi.waitFor(() => expect(runs.some((r) => byCollection(r)['parts']?.change === 1)).toBe(true), {
      timeout: 5_000,
    });
    expect(((await app.db.get('parts', parts[2]!)) as { name: string }).name).toBe('after the retry');
  });
});
