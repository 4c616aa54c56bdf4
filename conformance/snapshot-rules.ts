import type { PullResponse } from '../src/protocol/messages.js';
import { fail } from './check.js';
import type { Exchange } from './exchange.js';

/** Binary order of record ids (Unicode code points: the order of their UTF-8 bytes). */
export function compareIds(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Checks the snapshot pages at the start of `pages` (a pull from `checkpoint: null` to the end):
 * mode `snapshot` then only `changes`; ranges contiguous from `after: null` to `until: null`;
 * every change a `put` inside its page's range; ids strictly increasing in binary order; `total`
 * the same on every page. Returns the snapshot pages.
 */
export function checkSnapshotPages(
  pages: PullResponse[],
  exchanges: Exchange[],
  what: string,
): PullResponse[] {
  const snapshot: PullResponse[] = [];
  let after: string | null = null;
  let previousId: string | null = null;
  let ended = false;
  for (const [i, page] of pages.entries()) {
    const exchange = exchanges[i]!;
    if (ended) {
      if (page.mode !== 'changes')
        fail(what, 'changes mode after the last snapshot page', `mode "${page.mode}"`, exchange);
      continue;
    }
    if (page.mode !== 'snapshot') {
      fail(
        what,
        'snapshot mode until a page with range.until: null',
        `mode "${page.mode}" on page ${i + 1}`,
        exchange,
      );
    }
    snapshot.push(page);
    const range = page.range!;
    if (range.after !== after) {
      fail(
        what,
        `page ${i + 1} to start where the previous ended (range.after ${JSON.stringify(after)})`,
        `range.after ${JSON.stringify(range.after)}`,
        exchange,
      );
    }
    if (page.total !== pages[0]!.total) {
      fail(
        what,
        `the same total on every snapshot page (${pages[0]!.total})`,
        `total ${page.total} on page ${i + 1}`,
        exchange,
      );
    }
    for (const change of page.changes) {
      if (change.op !== 'put')
        fail(what, 'only puts in a snapshot (never tombstones)', `${change.op} of ${change.id}`, exchange);
      if (previousId !== null && compareIds(change.id, previousId) <= 0) {
        fail(
          what,
          'ids strictly increasing in binary (code point) order',
          `"${change.id}" after "${previousId}"`,
          exchange,
        );
      }
      const inRange =
        (range.after === null || compareIds(change.id, range.after) > 0) &&
        (range.until === null || compareIds(change.id, range.until) <= 0);
      if (!inRange) {
        fail(
          what,
          `every id of page ${i + 1} within its range (${JSON.stringify(range.after)}, ${JSON.stringify(range.until)}]`,
          `"${change.id}"`,
          exchange,
        );
      }
      previousId = change.id;
    }
    if (range.until === null) {
      ended = true;
    } else {
      if (!page.moreAvailable)
        fail(what, 'moreAvailable: true while range.until is not null', 'moreAvailable: false', exchange);
      after = range.until;
    }
  }
  if (!ended) fail(what, 'a last snapshot page with range.until: null', 'none', ...exchanges.slice(-1));
  return snapshot;
}
