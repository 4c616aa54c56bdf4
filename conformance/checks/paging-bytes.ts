import type { Change, PullFilter } from '../../src/protocol/messages.js';
import { check, fail, skip } from '../check.js';

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
