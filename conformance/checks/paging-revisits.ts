import type { Change, PullFilter } from '../../src/protocol/messages.js';
import { check, fail } from '../check.js';
import { apply, expectApplied } from '../context.js';
import { expectError } from '../expect.js';
import { expectSameState } from '../same-state.js';
import { compareIds } from '../snapshot-rules.js';

/** Paging across writes: snapshots read while others write, replayed checkpoints, filters. */
export const pagingRevisitChecks = [
  check({
    id: 'paging.writes-during-snapshot',
    group: 'paging',
    title: 'changes made while a snapshot is read are delivered after it (maybe twice, never skipped)',
    doc: '#snapshot-mode-full-sync',
    needs: ['writable'],
    async run(ctx) {
      const filter: PullFilter = { ...ctx.runFilter, cfCheck: 'during' };
      const w = ctx.writer();
      const ids = Array.from({ length: 6 }, () => ctx.id());
      const revs = await w.create(
        ids.map((id) => [id, ctx.value({ cfCheck: 'during', v: 1 })]),
        'creating six records',
      );
      const state = new Map<string, Change>();
      const first = await ctx.alice.pullOk(
        { collection: ctx.col, checkpoint: null, windowSize: 2, filter },
        'reading the first snapshot page',
      );
      for (const change of first.page.changes) apply(state, change);
      const passed = first.page.changes.find((c) => ids.includes(c.id));
      const edits = [
        // Behind the cursor: the snapshot will not show it again.
        ...(passed === undefined
          ? []
          : [w.put(passed.id, ctx.value({ cfCheck: 'during', v: 2 }), passed.rev)]),
        // A new id sorting before everything read so far.
        w.put(`${ids[0]!.slice(0, -3)}000`, ctx.value({ cfCheck: 'during', v: 1 }), null),
        // Ahead of the cursor: deleted before the snapshot gets there.
        w.del(ids[5]!, revs[5]!),
      ];
      if (passed === undefined)
        ctx.note("the first page held none of this check's records: no write behind the cursor");
      const pushed = await w.push(edits, 'writing while the snapshot is read');
      for (const r of pushed.results)
        expectApplied(r, 'writing while the snapshot is read', pushed.answer.exchange);
      const rest = await ctx.alice.pullAll(
        ctx.col,
        { checkpoint: first.page.checkpoint, windowSize: 2, filter },
        'reading the rest of the snapshot and the changes after it',
      );
      for (const page of rest.pages) for (const change of page.changes) apply(state, change);
      const truth = await ctx.snapshot('reading a fresh snapshot', ctx.alice, ctx.col, filter);
      expectSameState('comparing a snapshot read across writes with a fresh one', state, truth.state);
    },
  }),

  check({
    id: 'paging.replay',
    group: 'paging',
    title:
      'pulling again with a previous checkpoint returns the same page, or the same records at newer positions',
    doc: '#changes-mode',
    needs: ['writable'],
    async run(ctx) {
      const head = await ctx.head();
      const w = ctx.writer();
      const ids = [ctx.id(), ctx.id(), ctx.id()];
      const revs = await w.create(
        ids.map((id) => [id, ctx.value({ v: 1 })]),
        'creating three records',
      );
      const request = { collection: ctx.col, checkpoint: head, windowSize: 2 };
      const once = await ctx.alice.pullOk(request, 'pulling a page');
      const twice = await ctx.alice.pullOk(request, 'pulling the same page again (its answer was lost)');
      const sig = (p: typeof once.page) => p.changes.map((c) => `${c.op} ${c.id}@${c.rev}`).join(', ');
      if (sig(once.page) !== sig(twice.page) || once.page.moreAvailable !== twice.page.moreAvailable) {
        fail(
          'replaying a checkpoint with nothing written in between',
          `the same page: ${sig(once.page)}`,
          sig(twice.page),
          once.answer.exchange,
          twice.answer.exchange,
        );
      }
      // A record of the first page changes; the replay must not lose it.
      const target = once.page.changes.find((c) => ids.includes(c.id)) ?? { id: ids[0]!, rev: revs[0]! };
      const edit = await w.push(
        [w.put(target.id, ctx.value({ v: 2 }), target.rev)],
        'updating a record of that page',
      );
      const newRev = expectApplied(edit.results[0]!, 'updating a record of that page', edit.answer.exchange);
      const replay = await ctx.changesSince(head, 'replaying the old checkpoint after the update');
      const state = new Map<string, Change>();
      for (const change of replay.changes) apply(state, change);
      for (const [i, id] of ids.entries()) {
        const want = id === target.id ? newRev : revs[i]!;
        if (state.get(id)?.rev !== want) {
          fail(
            'replaying an old checkpoint after an update',
            `${id} at rev ${want}`,
            JSON.stringify(state.get(id) ?? null),
            ...replay.exchanges,
          );
        }
      }
    },
  }),

  check({
    id: 'paging.filters',
    group: 'paging',
    title:
      'a filtered snapshot holds only matching records; a record that stops matching comes as a delete; the checkpoint is bound to its filter',
    doc: '#filters',
    needs: ['writable'],
    async run(ctx) {
      const filter: PullFilter = {
        ...ctx.runFilter,
        cfCheck: 'filters',
        status: 'open',
        priority: 2,
        archived: false,
        closedAt: null,
      };
      const match = { cfCheck: 'filters', status: 'open', priority: 2, archived: false, closedAt: null };
      const w = ctx.writer();
      const [open1, open2, closed, other] = [ctx.id(), ctx.id(), ctx.id(), ctx.id()];
      const revs = await w.create(
        [
          [open1, ctx.value(match)],
          [open2, ctx.value({ ...match, extra: 'x' })],
          [closed, ctx.value({ ...match, status: 'closed' })],
          [other, ctx.value({ ...match, priority: '2' })],
        ],
        'creating records that match the filter or not',
      );
      const { pages, checkpoint, exchanges } = await ctx.alice.pullAll(
        ctx.col,
        { checkpoint: null, windowSize: 10, filter },
        'reading a filtered snapshot',
      );
      const got = pages.flatMap((p) => p.changes.map((c) => c.id)).sort(compareIds);
      const want = [open1, open2].sort(compareIds);
      if (got.join() !== want.join()) {
        fail(
          `reading a snapshot with filter ${JSON.stringify(filter)}`,
          `exactly the two matching records (priority 2, not "2")`,
          `${got.length} records: ${got.join(', ')}`,
          ...exchanges,
        );
      }
      if (pages[0]!.total !== 2)
        fail('reading a filtered snapshot', 'total: 2', `total: ${pages[0]!.total}`, exchanges[0]!);
      const edits = await w.push(
        [
          w.put(open1, ctx.value({ ...match, status: 'closed' }), revs[0]!),
          w.put(closed, ctx.value(match), revs[2]!),
        ],
        'moving one record out of the filter and one into it',
      );
      for (const r of edits.results) expectApplied(r, 'editing filtered records', edits.answer.exchange);
      const next = await ctx.changesSince(
        checkpoint,
        'pulling the filtered changes',
        ctx.alice,
        ctx.col,
        filter,
      );
      const byId = new Map(next.changes.map((c) => [c.id, c]));
      if (byId.get(open1)?.op !== 'delete')
        fail(
          'pulling filtered changes',
          `${open1} (no longer matching) as a delete`,
          JSON.stringify(byId.get(open1) ?? null),
          ...next.exchanges,
        );
      if (byId.get(closed)?.op !== 'put')
        fail(
          'pulling filtered changes',
          `${closed} (now matching) as a put`,
          JSON.stringify(byId.get(closed) ?? null),
          ...next.exchanges,
        );
      const otherFilter = await ctx.alice.pull({
        collection: ctx.col,
        checkpoint,
        windowSize: 10,
        filter: { ...filter, status: 'closed' },
      });
      expectError(otherFilter, 'INVALID_CHECKPOINT', 'pulling with a filtered checkpoint and another filter');
      const noFilter = await ctx.alice.pull({ collection: ctx.col, checkpoint, windowSize: 10 });
      expectError(noFilter, 'INVALID_CHECKPOINT', 'pulling with a filtered checkpoint and no filter');
    },
  }),
];
