import type { Change } from '../../src/protocol/messages.js';
import { check, fail } from '../check.js';
import { expectApplied } from '../context.js';
import { checkSnapshotPages, compareIds } from '../snapshot-rules.js';

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
];
