import type { Change, PullFilter } from '../../src/protocol/messages.js';
import { check, fail, skip } from '../check.js';
import { apply, type CheckContext, expectApplied } from '../context.js';
import { expectError } from '../expect.js';
import { checkSnapshotPages, compareIds } from '../snapshot-rules.js';

/** Compares a client's state with the server's; fails naming the first differences. */
export function expectSameState(
  ctx: CheckContext,
  what: string,
  seen: Map<string, Change>,
  truth: Map<string, Change>,
): void {
  const problems: string[] = [];
  for (const [id, change] of truth) {
    const mine = seen.get(id);
    if (mine === undefined) problems.push(`${id} (rev ${change.rev}) missing`);
    else if (mine.rev !== change.rev) problems.push(`${id} at rev ${mine.rev} instead of ${change.rev}`);
  }
  for (const id of seen.keys())
    if (!truth.has(id)) problems.push(`${id} still present, deleted on the server`);
  if (problems.length > 0) {
    fail(
      what,
      `the client's state equal to the server's (${truth.size} records)`,
      `${problems.length} difference(s): ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? '; …' : ''}`,
    );
  }
  void ctx;
}

export const pagingChecks = [
  check({
    id: 'paging.snapshot-order',
    group: 'paging',
    title:
      'a snapshot holds every live record once, ordered by id in binary order, in contiguous ranges, without tombstones',
    doc: '#snapshot-mode-full-sync',
    needs: ['writable'],
    async run(ctx) {
      // Ids whose binary order differs from a locale's: digits < upper case < "_" < lower case < "~".
      const base = ctx.id('order');
      const ids = ['~', 'a', '_', 'B', 'A', '0', 'zz', 'Z'].map((s) => `${base}-${s}`);
      const w = ctx.writer();
      const revs = await w.create(
        ids.map((id) => [id, ctx.value({ n: id })]),
        'creating records with mixed-case ids',
      );
      const gone = ids[6]!;
      const del = await w.push([w.del(gone, revs[6]!)], 'deleting one of them');
      expectApplied(del.results[0]!, 'deleting one of them', del.answer.exchange);

      const first = await ctx.alice.pullOk(
        { collection: ctx.col, checkpoint: null, windowSize: 1 },
        'starting a snapshot',
      );
      const total = first.page.total ?? 0;
      const windowSize = Math.max(2, Math.ceil(total / 200));
      const { pages, exchanges } = await ctx.alice.pullAll(
        ctx.col,
        { checkpoint: null, windowSize },
        `reading a whole snapshot, windowSize ${windowSize}`,
      );
      const snapshot = checkSnapshotPages(
        pages,
        exchanges,
        `reading a snapshot with windowSize ${windowSize}`,
      );
      const seen = snapshot.flatMap((p) => p.changes);
      if (seen.length !== snapshot[0]!.total) {
        fail(
          'reading a snapshot while nothing is written',
          `total (${snapshot[0]!.total}) equal to the records served`,
          `${seen.length} records served`,
          exchanges[0]!,
        );
      }
      const alive = ids.filter((id) => id !== gone);
      const mine = seen.filter((c) => c.id.startsWith(base)).map((c) => c.id);
      const expected = [...alive].sort(compareIds);
      if (mine.join('\n') !== expected.join('\n')) {
        fail(
          'reading a snapshot',
          `this check's live records, in binary order: ${expected.map((id) => id.slice(base.length + 1)).join(' ')}`,
          `${mine.map((id) => id.slice(base.length + 1)).join(' ') || 'none'} (suffixes)`,
          ...exchanges.slice(0, 3),
        );
      }
    },
  }),

  check({
    id: 'paging.window-clamp',
    group: 'paging',
    title:
      'a windowSize above maxWindowSize is clamped to it, and the answer says the window used; no page holds more',
    doc: '#post-v1pull',
    needs: ['writable'],
    async run(ctx) {
      const max = ctx.caps.maxWindowSize;
      const one = await ctx.alice.pullOk(
        { collection: ctx.col, checkpoint: null, windowSize: 1 },
        'pulling with windowSize 1',
      );
      if (one.page.windowSize !== 1)
        fail(
          'pulling with windowSize 1',
          'windowSize: 1 in the answer',
          `windowSize: ${one.page.windowSize}`,
          one.answer.exchange,
        );
      if (max >= 100_000) {
        ctx.note('maxWindowSize is the protocol maximum: nothing to clamp');
        return;
      }
      // Enough records to fill a clamped page, when that stays cheap at this scale.
      if (max <= 200 * ctx.scale) {
        const w = ctx.writer();
        const ids = Array.from({ length: max + 1 }, () => ctx.id());
        for (let i = 0; i < ids.length; i += ctx.caps.maxMutationsPerPush) {
          await w.create(
            ids.slice(i, i + ctx.caps.maxMutationsPerPush).map((id) => [id, ctx.value()]),
            `creating ${max + 1} records`,
          );
        }
      } else {
        ctx.note(
          `maxWindowSize ${max} is above 200 × scale: checked the answered window only, not a full page`,
        );
      }
      const asked = Math.min(max * 2, 100_000);
      const { pages, exchanges } = await ctx.alice.pullAll(
        ctx.col,
        { checkpoint: null, windowSize: asked },
        `pulling with windowSize ${asked} (maxWindowSize ${max})`,
      );
      for (const [i, page] of pages.entries()) {
        if (page.windowSize !== max)
          fail(
            `pulling with windowSize ${asked}`,
            `windowSize: ${max} (clamped) in the answer`,
            `windowSize: ${page.windowSize}`,
            exchanges[i]!,
          );
        if (page.changes.length > max)
          fail(
            `pulling with windowSize ${asked}`,
            `at most ${max} changes per page`,
            `${page.changes.length}`,
            exchanges[i]!,
          );
      }
    },
  }),

  check({
    id: 'paging.changes-mode',
    group: 'paging',
    title:
      'changes mode returns each changed record once at its latest version (puts with values, deletes without), and an empty page returns the same checkpoint',
    doc: '#changes-mode',
    needs: ['writable'],
    async run(ctx) {
      const head = await ctx.head();
      const w = ctx.writer();
      const [a, b, c] = [ctx.id(), ctx.id(), ctx.id()];
      const [ra, rb] = await w.create(
        [
          [a, ctx.value({ v: 1 })],
          [b, ctx.value({ v: 1 })],
          [c, ctx.value({ v: 1 })],
        ],
        'creating three records',
      );
      const edits = await w.push(
        [w.put(a, ctx.value({ v: 2 }), ra!), w.del(b, rb!)],
        'updating one and deleting another',
      );
      const revA = expectApplied(edits.results[0]!, 'updating a record', edits.answer.exchange);
      const revB = expectApplied(edits.results[1]!, 'deleting a record', edits.answer.exchange);
      const { pages, checkpoint, exchanges } = await ctx.alice.pullAll(
        ctx.col,
        { checkpoint: head, windowSize: 2 },
        'pulling the changes with windowSize 2',
      );
      const seen = new Map<string, Change>();
      for (const [i, page] of pages.entries()) {
        if (page.mode !== 'changes')
          fail(
            'pulling from a changes-mode checkpoint',
            'mode "changes"',
            `mode "${page.mode}"`,
            exchanges[i]!,
          );
        for (const change of page.changes) {
          if (seen.has(change.id))
            fail(
              'pulling the changes of records written once each, in one go',
              'each record once',
              `${change.id} twice`,
              exchanges[i]!,
            );
          seen.set(change.id, change);
        }
      }
      const gotA = seen.get(a);
      if (gotA?.op !== 'put' || gotA.rev !== revA || gotA.value['v'] !== 2) {
        fail(
          'pulling the changes',
          `the updated record as a put at rev ${revA} with its new value`,
          JSON.stringify(gotA ?? null),
          ...exchanges,
        );
      }
      const gotB = seen.get(b);
      if (gotB?.op !== 'delete' || gotB.rev !== revB || 'value' in gotB) {
        fail(
          'pulling the changes',
          `the deleted record as a delete at rev ${revB}, without value`,
          JSON.stringify(gotB ?? null),
          ...exchanges,
        );
      }
      if (seen.get(c)?.op !== 'put')
        fail(
          'pulling the changes',
          'the created record as a put',
          JSON.stringify(seen.get(c) ?? null),
          ...exchanges,
        );
      const empty = await ctx.alice.pullOk(
        { collection: ctx.col, checkpoint, windowSize: 10 },
        'pulling again at the end of the log',
      );
      if (empty.page.changes.length > 0 || empty.page.moreAvailable) {
        fail(
          'pulling again at the end of the log',
          'no changes and moreAvailable: false',
          `${empty.page.changes.length} changes, moreAvailable ${empty.page.moreAvailable}`,
          empty.answer.exchange,
        );
      }
      if (empty.page.checkpoint !== checkpoint) {
        fail(
          'pulling again at the end of the log',
          'the same checkpoint back (an empty page returns it)',
          'another checkpoint',
          empty.answer.exchange,
        );
      }
    },
  }),

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
      expectSameState(ctx, 'comparing a snapshot read across writes with a fresh one', state, truth.state);
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

/** Bytes of a value's compact JSON (UTF-8): what every server counts at least for a change. */
const valueBytes = (change: Change) =>
  change.op === 'put' ? Buffer.byteLength(JSON.stringify(change.value)) : 0;

export const byteBudgetCheck = check({
  id: 'paging.byte-budget',
  group: 'paging',
  title:
    'a page stops once it reaches the announced maxPageBytes (fewer changes than the window, moreAvailable: true), and the pages still hold every record',
  doc: '#pages-count-and-bytes',
  needs: ['writable'],
  async run(ctx) {
    const budget = ctx.limit('maxPageBytes');
    if (budget === undefined) skip('the server announces no maxPageBytes');
    const total = Math.ceil(budget * 2.5);
    const allowed = 8 * 1024 * 1024 * ctx.scale;
    if (total > allowed)
      skip(
        `maxPageBytes is ${budget}: filling pages would write ${(total / 2 ** 20).toFixed(1)} MiB, above 8 MiB × scale`,
      );
    const recordBytes = Math.max(
      64,
      Math.min(
        Math.floor(budget / 4),
        (ctx.limit('maxValueBytes') ?? budget) - 256,
        Math.floor(ctx.caps.maxBodyBytes / 2) - 1024,
      ),
    );
    const count = Math.ceil(total / recordBytes);
    const tag = { cfCheck: 'budget' };
    const w = ctx.writer();
    const ids = Array.from({ length: count }, () => ctx.id());
    const perPush = Math.max(
      1,
      Math.min(
        ctx.caps.maxMutationsPerPush,
        Math.floor((ctx.caps.maxBodyBytes - 4096) / (recordBytes + 256)),
      ),
    );
    for (let i = 0; i < ids.length; i += perPush) {
      await w.create(
        ids.slice(i, i + perPush).map((id) => [id, ctx.value({ ...tag, pad: 'x'.repeat(recordBytes) })]),
        `writing ${count} records of ${recordBytes} bytes`,
      );
    }
    const windowSize = Math.min(ctx.caps.maxWindowSize, count + 10);
    const filter: PullFilter = { ...ctx.runFilter, ...tag };
    const { pages, exchanges } = await ctx.alice.pullAll(
      ctx.col,
      { checkpoint: null, windowSize, filter },
      `pulling ${count} records of ${recordBytes} bytes (maxPageBytes ${budget}) with windowSize ${windowSize}`,
    );
    const what = `pulling ${count} records of ${recordBytes} bytes with windowSize ${windowSize} (maxPageBytes ${budget})`;
    const first = pages[0]!;
    if (first.changes.length >= Math.min(windowSize, count) || !first.moreAvailable) {
      fail(
        what,
        `a first page cut by the byte budget: fewer than ${Math.min(windowSize, count)} changes, moreAvailable: true`,
        `${first.changes.length} changes, moreAvailable: ${first.moreAvailable}`,
        exchanges[0]!,
      );
    }
    for (const [i, page] of pages.entries()) {
      if (page.changes.length === 0 && page.moreAvailable)
        fail(what, 'at least one change on a page that says moreAvailable', 'an empty page', exchanges[i]!);
      const before = page.changes.slice(0, -1).reduce((n, c) => n + valueBytes(c), 0);
      if (before > budget)
        fail(
          what,
          `a page that stops once it reaches ${budget} bytes`,
          `page ${i + 1} went on past ${before} bytes of values`,
          exchanges[i]!,
        );
    }
    const got = new Set(pages.flatMap((p) => p.changes.map((c) => c.id)));
    const missing = ids.filter((id) => !got.has(id));
    if (missing.length > 0)
      fail(
        what,
        `all ${count} records over the pages`,
        `${missing.length} missing, e.g. ${missing[0]}`,
        ...exchanges.slice(-2),
      );
  },
});
