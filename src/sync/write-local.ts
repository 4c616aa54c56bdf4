import { type ConnectionSource, transact } from '../idb/transact.js';
import type { RecordValue } from '../protocol/messages.js';
import {
  OUTBOX_BY_RECORD,
  OUTBOX_STORE,
  type OutboxEntry,
  SYNC_STATE_KEYS,
  SYNC_STATE_STORE,
} from './internal-stores.js';
import { decideLocalWrite, type LocalWrite } from './outbox-model.js';
import type { SyncChange } from './sync-change.js';

/** What a committed local write did. */
export interface LocalWriteResult {
  readonly change: SyncChange;
  /** True when the write added to or changed the outbox (a push is due). */
  readonly queued: boolean;
}

/**
 * Writes a record (or deletes it) and its outbox entry in one transaction, so the optimistic local
 * value and the intent to push it are never separated by a crash.
 */
export function writeLocal(
  connect: ConnectionSource,
  write: LocalWrite,
  revField: string,
): Promise<LocalWriteResult> {
  return transact(connect, [write.store, OUTBOX_STORE, SYNC_STATE_STORE], 'readwrite', (scope) => {
    const data = scope.store(write.store);
    const outbox = scope.store(OUTBOX_STORE);
    let stored: Record<string, unknown> | null = null;
    let queued = false;
    const reads = [
      data.get(write.id),
      outbox.index(OUTBOX_BY_RECORD).getAll([write.store, write.id]),
      scope.store(SYNC_STATE_STORE).get(SYNC_STATE_KEYS.outbox),
    ] as IDBRequest<unknown>[];
    scope.all(reads, ([current, entries, marker]) => {
      const decision = decideLocalWrite(write, {
        current: current as Record<string, unknown> | undefined,
        entries: (entries as OutboxEntry[]).sort((a, b) => a.mutationId - b.mutationId),
        sentUpTo: (marker as { sentUpTo?: number } | undefined)?.sentUpTo ?? 0,
        revField,
        now: Date.now(),
      });
      switch (decision.outbox.kind) {
        case 'add':
          outbox.add(decision.outbox.entry);
          break;
        case 'replace':
          outbox.put(decision.outbox.entry);
          break;
        case 'remove':
          outbox.delete(decision.outbox.mutationId);
          break;
        case 'none':
          break;
      }
      queued = decision.outbox.kind !== 'none';
      stored = decision.record;
      if (stored === null) data.delete(write.id);
      else data.put(stored);
    });
    return () => ({
      change:
        stored === null
          ? { store: write.store, type: 'delete', id: write.id, origin: 'local' }
          : { store: write.store, type: 'put', id: write.id, value: stored as RecordValue, origin: 'local' },
      queued,
    });
  });
}
