import type { Change, Mutation } from '../../src/protocol/messages.js';
import { check, fail } from '../check.js';
import { apply, type CheckContext, describeResult, type Writer } from '../context.js';
import type { Exchange } from '../exchange.js';

/** What one writer knows it wrote: id → the rev of its last applied write (null: deleted). */
type Written = Map<string, { rev: string; deleted: boolean }>;

/**
 * One writer's workload: pushes of two creates plus one update or delete of a record it created
 * earlier. Each record is written at most twice, so a skipped write is never healed by a later one.
 */
async function write(
  ctx: CheckContext,
  w: Writer,
  pushes: number,
  written: Written,
  stop: { failed?: Error },
): Promise<void> {
  const created: string[] = [];
  for (let p = 0; p < pushes && stop.failed === undefined; p++) {
    const fresh = [ctx.id('w'), ctx.id('w')];
    const mutations: Mutation[] = fresh.map((id) =>
      w.put(id, ctx.value({ cfCheck: 'concurrency', p, v: 1 }), null),
    );
    // Records of two pushes ago: the first is updated, the second deleted, each once.
    const [older, oldest] = [created[2 * (p - 2)], created[2 * (p - 2) + 1]];
    if (older !== undefined)
      mutations.push(w.put(older, ctx.value({ cfCheck: 'concurrency', p, v: 2 }), written.get(older)!.rev));
    if (oldest !== undefined && p % 3 === 0) mutations.push(w.del(oldest, written.get(oldest)!.rev));
    const { results, answer } = await w.push(
      mutations,
      `pushing concurrently (writer ${w.clientId}, push ${p + 1})`,
    );
    for (const [i, result] of results.entries()) {
      const m = mutations[i]!;
      if (result.status !== 'applied') {
        fail(
          'pushing concurrently: each writer edits only its own records',
          'every mutation applied',
          describeResult(result),
          answer.exchange,
        );
      }
      written.set(m.id, { rev: result.rev, deleted: m.op === 'delete' });
    }
    created.push(...fresh);
  }
}

/** A reader that pulls incrementally from `checkpoint` (or a snapshot from null) until told to stop, then drains. */
async function read(
  ctx: CheckContext,
  checkpoint: string | null,
  windowSize: number,
  writing: { done: boolean },
): Promise<{ state: Map<string, Change>; pulls: number; last: Exchange[] }> {
  const state = new Map<string, Change>();
  let cp = checkpoint;
  let pulls = 0;
  const last: Exchange[] = [];
  const pullOnce = async () => {
    const { page, answer } = await ctx.alice.pullOk(
      { collection: ctx.col, checkpoint: cp, windowSize },
      'reading while others write',
    );
    pulls += 1;
    last.push(answer.exchange);
    if (last.length > 3) last.shift();
    for (const change of page.changes) apply(state, change);
    cp = page.checkpoint;
    return page.moreAvailable;
  };
  while (!writing.done) {
    if (!(await pullOnce())) await new Promise((resolve) => setImmediate(resolve));
  }
  while (await pullOnce()) {
    // drain
  }
  return { state, pulls, last };
}

export const concurrencyChecks = [
  check({
    id: 'concurrency.no-skipped-change',
    group: 'concurrency',
    title:
      'several writers pushing at once never make a reader skip a change: readers paging meanwhile end equal to the server',
    doc: '#changes-mode',
    needs: ['writable'],
    async run(ctx) {
      const writers = 3 + ctx.scale;
      const pushes = 10 * ctx.scale;
      const start = await ctx.head();
      const written: Written = new Map();
      const writing = { done: false };
      const stop: { failed?: Error } = {};
      // A reader skips at the head of the log: a wide window keeps one there, a narrow one pages.
      const wide = ctx.caps.maxWindowSize;
      const readers = [
        read(ctx, start, wide, writing),
        read(ctx, start, 5, writing),
        read(ctx, null, 3, writing),
      ];
      const work = Array.from({ length: writers }, () => ctx.writer()).map((w) =>
        write(ctx, w, pushes, written, stop).catch((error: Error) => {
          stop.failed = error;
        }),
      );
      await Promise.all(work);
      writing.done = true;
      const results = await Promise.all(readers);
      if (stop.failed !== undefined) throw stop.failed;

      const truth = await ctx.snapshot('reading the server state after the writes', ctx.alice, ctx.col);
      // The server must hold what the writers were told.
      for (const [id, mine] of written) {
        const now = truth.state.get(id);
        if (mine.deleted ? now !== undefined : now?.rev !== mine.rev) {
          fail(
            "comparing the server state with the writers' answers",
            `${id} ${mine.deleted ? 'deleted' : `at rev ${mine.rev}`}`,
            now === undefined ? 'absent' : `at rev ${now.rev}`,
            ...truth.exchanges.slice(-1),
          );
        }
      }
      const names = [
        `incremental reader (window ${wide})`,
        'incremental reader (window 5)',
        'full-sync reader started during the writes (window 3)',
      ];
      for (const [r, result] of results.entries()) {
        const problems: string[] = [];
        for (const id of written.keys()) {
          const want = truth.state.get(id);
          const got = result.state.get(id);
          if (want === undefined && got !== undefined)
            problems.push(`${id} still present at rev ${got.rev}, deleted on the server`);
          else if (want !== undefined && got === undefined)
            problems.push(`${id} (rev ${want.rev}) never received`);
          else if (want !== undefined && got !== undefined && got.rev !== want.rev)
            problems.push(`${id} at rev ${got.rev}, the server has rev ${want.rev}`);
        }
        if (problems.length > 0) {
          fail(
            `${writers} writers × ${pushes} pushes while the ${names[r]} paged (${result.pulls} pulls)`,
            `the reader's final state equal to the server's for all ${written.size} records written`,
            `${problems.length} skipped change(s): ${problems.slice(0, 4).join('; ')}${problems.length > 4 ? '; …' : ''}`,
            ...result.last,
          );
        }
      }
      ctx.note(
        `${writers} writers, ${written.size} records, reader pulls: ${results.map((r) => r.pulls).join(', ')}`,
      );
    },
  }),
];
