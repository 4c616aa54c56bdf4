import { InvalidResponseError } from '../errors/invalid-response-error.js';
import type { PullResponse } from '../protocol/messages.js';
import type { CheckpointRecord } from './internal-stores.js';

/** How many of a collection's past checkpoint tokens are remembered to recognise a replayed page. */
export const RECENT_TOKENS = 16;

/**
 * Refuses a page that cannot follow the saved checkpoint: a stale page replayed by a cache or a
 * misrouted proxy must not move records or the checkpoint backwards. Checkpoints and revisions are
 * opaque, so the checks use what the protocol does order: a snapshot runs page after page (each page
 * starts where the saved cursor ends) and is followed by the change log; a change page never hands
 * back a checkpoint this collection already moved past.
 */
export function checkPageOrder(previous: CheckpointRecord, page: PullResponse): void {
  const refuse = (path: string, message: string) => {
    throw new InvalidResponseError('/v1/pull', 200, 'mismatch', [{ path: [path], message }]);
  };
  if (previous.phase === 'snapshot') {
    if (page.mode !== 'snapshot') refuse('mode', 'a change page in the middle of a snapshot');
    if ((page.range?.after ?? null) !== previous.cursor) {
      refuse('range', 'a snapshot page that does not start where the saved one ends');
    }
    return;
  }
  if (page.mode === 'snapshot')
    refuse('mode', 'a snapshot page after the snapshot ended (stale or misrouted)');
  if (page.checkpoint !== previous.token && (previous.recentTokens ?? []).includes(page.checkpoint)) {
    refuse('checkpoint', 'a checkpoint older than the saved one (stale or replayed page)');
  }
}

/** The recent tokens after moving from `previous` to a page's new token. */
export function rememberToken(previous: CheckpointRecord, next: string): readonly string[] {
  const recent = previous.recentTokens ?? [];
  if (previous.token === null || previous.token === next) return recent;
  return [...recent.filter((t) => t !== previous.token), previous.token].slice(-RECENT_TOKENS);
}
