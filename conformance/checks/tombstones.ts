import { check, fail, skip } from '../check.js';
import { expectApplied } from '../context.js';
import { expectError } from '../expect.js';
import { sameValue } from '../values.js';

export const tombstoneChecks = [
  check({
    id: 'tombstones.pushed-delete',
    group: 'tombstones',
    title: 'a pushed delete reaches other clients as a delete (no value) and leaves every later snapshot',
    doc: '#deletes-and-tombstones',
    needs: ['writable'],
    async run(ctx) {
      const w = ctx.writer();
      const x = ctx.id();
      const [rev] = await w.create([[x, ctx.value()]], 'creating a record');
      const before = await ctx.head();
      const del = await w.push([w.del(x, rev!)], 'deleting it');
      const tombRev = expectApplied(del.results[0]!, 'deleting it', del.answer.exchange);
      const { changes, exchanges } = await ctx.changesSince(before, 'pulling the delete');
      const got = changes.find((c) => c.id === x);
      if (got?.op !== 'delete' || got.rev !== tombRev || 'value' in got)
        fail(
          'pulling after a delete',
          `a delete of ${x} at rev ${tombRev}, without value`,
          JSON.stringify(got ?? null),
          ...exchanges,
        );
      const snap = await ctx.snapshot(
        'reading a snapshot after the delete',
        ctx.alice,
        ctx.col,
        ctx.runFilter,
      );
      if (snap.state.has(x))
        fail('reading a snapshot after a delete', `no ${x}`, 'it is still there', ...snap.exchanges);
    },
  }),

  check({
    id: 'tombstones.server-side-writes',
    group: 'tombstones',
    title:
      'edits and deletes made on the server reach clients through pull like pushed ones, with revs clients can build on',
    doc: '#deletes-and-tombstones',
    needs: ['writable', 'serverWrites'],
    async run(ctx) {
      const userId = ctx.setup.users[0]!.userId;
      if (ctx.writableInfo?.scope === 'user' && userId === undefined)
        skip('the user id of user 1 is unknown (pass users as { token, userId })');
      const owner = ctx.writableInfo?.scope === 'user' ? { userId: userId! } : {};
      const x = ctx.id();
      const before = await ctx.head();
      await ctx.setup.hooks.putRecord!({
        collection: ctx.col,
        id: x,
        value: ctx.value({ by: 'server' }),
        ...owner,
      });
      const put = await ctx.changesSince(before, 'pulling after a server-side edit');
      const got = put.changes.find((c) => c.id === x);
      if (got?.op !== 'put' || !sameValue(got.value, ctx.value({ by: 'server' })))
        fail(
          'pulling after a server-side edit',
          `a put of ${x} with its value`,
          JSON.stringify(got ?? null),
          ...put.exchanges,
        );
      const w = ctx.writer();
      const edit = await w.push(
        [w.put(x, ctx.value({ by: 'client' }), got.rev)],
        'updating it from the rev the pull gave',
      );
      expectApplied(
        edit.results[0]!,
        'updating a server-side record from its pulled rev',
        edit.answer.exchange,
      );
      await ctx.setup.hooks.deleteRecord!({ collection: ctx.col, id: x, ...owner });
      const del = await ctx.changesSince(put.checkpoint, 'pulling after a server-side delete');
      const gone = del.changes.filter((c) => c.id === x).at(-1);
      if (gone?.op !== 'delete')
        fail(
          'pulling after a server-side delete',
          `a delete of ${x}`,
          JSON.stringify(gone ?? null),
          ...del.exchanges,
        );
    },
  }),

  check({
    id: 'tombstones.reset-required',
    group: 'tombstones',
    title:
      'after tombstones are purged, a checkpoint from before them gets 410 RESET_REQUIRED; a full sync then works without the record',
    doc: '#checkpoints',
    needs: ['writable', 'purge'],
    async run(ctx) {
      const w = ctx.writer();
      const x = ctx.id();
      const [rev] = await w.create([[x, ctx.value()]], 'creating a record');
      const before = await ctx.head();
      const del = await w.push([w.del(x, rev!)], 'deleting it');
      expectApplied(del.results[0]!, 'deleting it', del.answer.exchange);
      const after = await ctx.head();
      await ctx.setup.hooks.purgeTombstones!();
      const old = await ctx.alice.pull({ collection: ctx.col, checkpoint: before, windowSize: 10 });
      expectError(old, 'RESET_REQUIRED', 'pulling with a checkpoint from before a purged tombstone');
      await ctx.alice.pullAll(
        ctx.col,
        { checkpoint: after, windowSize: 100 },
        'pulling with a checkpoint from after the purged tombstone',
      );
      const full = await ctx.snapshot(
        'doing the full sync that follows a reset',
        ctx.alice,
        ctx.col,
        ctx.runFilter,
      );
      if (full.state.has(x))
        fail('doing a full sync after a reset', `no ${x} (deleted)`, 'it is there', ...full.exchanges);
      const again = await w.push([w.del(x, rev!)], 'deleting the purged record again');
      expectApplied(again.results[0]!, 'deleting a record whose tombstone was purged', again.answer.exchange);
    },
  }),
];
