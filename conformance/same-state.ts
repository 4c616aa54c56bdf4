import type { Change } from '../src/protocol/messages.js';
import { fail } from './check.js';

/** Compares a client's state with the server's; fails naming the first differences. */
export function expectSameState(what: string, seen: Map<string, Change>, truth: Map<string, Change>): void {
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
}
