import { type ConnectionSource, transact } from '../idb/transact.js';
import type { RecordValue } from '../protocol/messages.js';
import type { PendingConflict } from './apply-push-results.js';
import type { ConflictResolution } from './conflict-strategy.js';
import { deepEqual } from './deep-equal.js';
import {
  CONFLICT_STORE,
  OUTBOX_BY_RECORD,
  OUTBOX_STORE,
  type OutboxEntry,
  type StoreConflictLogEntry,
} from './internal-stores.js';
import { withoutRev, withRev } from './outbox-model.js';
import type { SyncedKey } from './record-key.js';
import type { SyncChange } from './sync-change.js';

/** What writing one resolution did. */
export type ResolutionOutcome =
  | {
      readonly kind: 'resolved';
      readonly log: StoreConflictLogEntry;
      readonly change: SyncChange | null;
      /** True when the result differs from the server's value and was queued to be pushed. */
      readonly requeued: boolean;
    }
  /** A newer local write of the record arrived while the strategy ran: the conflict is resolved again. */
  | { readonly kind: 'superseded' };

/**
 * Writes a conflict's resolution in one transaction: the record takes the result (based on the
 * server's current revision), the conflicting write and those queued behind it leave the outbox, a
 * new entry pushes the result when it differs from the server's value, and the conflict goes to the
 * durable log (once for the chain, with the newest local value).
 */
export function applyConflictResolution(
  connect: ConnectionSource,
  conflict: PendingConflict,
  resolution: ConflictResolution<RecordValue>,
  revField: string,
  keyPath: string,
): Promise<ResolutionOutcome> {
  const { entry, current } = conflict;
  const stores = [entry.store, OUTBOX_STORE, CONFLICT_STORE];
  return transact(connect, stores, 'readwrite', (scope) => {
    let outcome: ResolutionOutcome = { kind: 'superseded' };
    const outbox = scope.store(OUTBOX_STORE);
    const data = scope.store(entry.store);
    scope.on(outbox.index(OUTBOX_BY_RECORD).getAll([entry.store, entry.id]), (entries: OutboxEntry[]) => {
      // The resolution holds only if the record's writes are still those it was computed from: a
      // write made meanwhile (a new entry, or one coalesced into the chain) makes the next push
      // round resolve the conflict again with the newer value.
      const ids = entries.map((e) => e.mutationId).sort((a, b) => a - b);
      const latest = entries.find((e) => e.mutationId === ids.at(-1));
      const latestValue = latest?.op === 'put' ? (latest.value ?? null) : null;
      if (ids.join() !== conflict.chain.join() || !deepEqual(latestValue, conflict.local)) return;
      for (const id of ids) outbox.delete(id);
      const remote = current?.op === 'put' ? current.value : null;
      const remoteRev = current?.rev ?? null;
      const result =
        resolution.value === null ? null : withKey(withoutRev(resolution.value, revField), keyPath, entry.id);
      const requeued = !deepEqual(result, remote);
      if (requeued) {
        // A delete of a record the server never had needs no push.
        if (result !== null || remoteRev !== null) {
          outbox.add({
            store: entry.store,
            id: entry.id,
            ...(result === null ? { op: 'delete' as const } : { op: 'put' as const, value: result }),
            baseRev: remoteRev,
            base: remote,
            createdAt: Date.now(),
          });
        }
      }
      const stored =
        result === null ? null : (withRev(result, revField, remoteRev ?? undefined) as RecordValue);
      if (stored === null) data.delete(entry.id);
      else data.put(stored);
      const log: Omit<StoreConflictLogEntry, 'seq'> = {
        store: entry.store,
        id: entry.id,
        mutationId: entry.mutationId,
        local: conflict.local,
        remote,
        base: entry.base,
        result,
        rule: resolution.rule,
        winner: resolution.winner,
        ...(resolution.conflictingFields === undefined
          ? {}
          : { conflictingFields: resolution.conflictingFields }),
        baseRev: entry.baseRev,
        remoteRev,
        at: Date.now(),
      };
      scope.on(scope.store(CONFLICT_STORE).add(log), (seq) => {
        const change: SyncChange = {
          store: entry.store,
          type: stored === null ? 'delete' : 'put',
          key: entry.id,
        };
        outcome = { kind: 'resolved', log: { ...log, seq: seq as number }, change, requeued };
      });
    });
    return () => outcome;
  });
}

/** The result keeps the record's key at its key path whatever the resolver returned. */
function withKey(value: RecordValue, keyPath: string, id: SyncedKey): RecordValue {
  return value[keyPath] === id ? value : { ...value, [keyPath]: id };
}
