import type { RecordValue } from '../protocol/messages.js';
import type { NewOutboxEntry, OutboxEntry } from './internal-stores.js';
import type { SyncedKey } from './record-key.js';

/** A local write as the app asked for it. */
export interface LocalWrite {
  readonly store: string;
  readonly id: SyncedKey;
  readonly op: 'put' | 'delete';
  /** The new value for a `put`, without the revision field. */
  readonly value?: RecordValue;
}

/** The state a local write is decided on, read in the write's own transaction. */
export interface LocalWriteContext {
  /** The record as stored now (with its revision field), if any. */
  readonly current: Record<string, unknown> | undefined;
  /** The record's pending outbox entries, by increasing mutation id. */
  readonly entries: readonly OutboxEntry[];
  /** Highest mutation id ever handed to the transport: entries up to it may be on the server already. */
  readonly sentUpTo: number;
  /** Field of stored records holding their server revision. */
  readonly revField: string;
  readonly now: number;
  /**
   * True when the record is absent because a red sync cleared the store and has not refetched it
   * yet (the server may still have it). Read only for a write that finds no record and no entry.
   */
  readonly cleared?: boolean;
}

/** What one local write does to the outbox and to the stored record. */
export interface LocalWriteDecision {
  readonly outbox:
    | { readonly kind: 'none' }
    | { readonly kind: 'add'; readonly entry: NewOutboxEntry }
    | { readonly kind: 'replace'; readonly entry: OutboxEntry }
    | { readonly kind: 'remove'; readonly mutationId: number };
  /** The record to store (with the revision it is based on), or `null` to delete it. */
  readonly record: Record<string, unknown> | null;
}

/**
 * Decides how a local write enters the outbox. A write to a record whose last pending write has not
 * been sent yet is coalesced into it (same mutation id, same base), so the server sees one mutation.
 * A write to a record whose last write was already sent (it may be applied, its response may be lost)
 * is queued behind it with `dependsOn`: its base revision is the one the server gives that write.
 * Deleting a record created locally and never sent drops it without a trace.
 */
export function decideLocalWrite(write: LocalWrite, ctx: LocalWriteContext): LocalWriteDecision {
  const currentRev = revOf(ctx.current, ctx.revField);
  const record = write.op === 'put' ? withRev(write.value ?? {}, ctx.revField, currentRev) : null;
  const latest = ctx.entries.at(-1);
  const change =
    write.op === 'put' ? { op: 'put' as const, value: write.value ?? {} } : { op: 'delete' as const };

  if (latest !== undefined && latest.mutationId > ctx.sentUpTo) {
    const neverSynced =
      latest.baseRev === null && latest.dependsOn === undefined && latest.awaitsRev === undefined;
    if (write.op === 'delete' && neverSynced)
      return { outbox: { kind: 'remove', mutationId: latest.mutationId }, record };
    const { value: _old, ...rest } = latest;
    return { outbox: { kind: 'replace', entry: { ...rest, ...change } }, record };
  }
  if (latest !== undefined) {
    const base = latest.op === 'put' ? (latest.value ?? null) : null;
    const entry: NewOutboxEntry = {
      store: write.store,
      id: write.id,
      ...change,
      baseRev: null,
      base,
      dependsOn: latest.mutationId,
      createdAt: ctx.now,
    };
    return { outbox: { kind: 'add', entry }, record };
  }
  // First pending write of the record: it is based on the stored server revision, if any.
  if (ctx.current === undefined && ctx.cleared === true) {
    // Cleared by a red sync, not refetched yet: the revision comes with the pull that reaches it.
    const entry: NewOutboxEntry = {
      store: write.store,
      id: write.id,
      ...change,
      baseRev: null,
      base: null,
      awaitsRev: true,
      createdAt: ctx.now,
    };
    return { outbox: { kind: 'add', entry }, record };
  }
  if (currentRev === undefined && write.op === 'delete') return { outbox: { kind: 'none' }, record };
  const entry: NewOutboxEntry = {
    store: write.store,
    id: write.id,
    ...change,
    baseRev: currentRev ?? null,
    base:
      currentRev === undefined || ctx.current === undefined ? null : withoutRev(ctx.current, ctx.revField),
    createdAt: ctx.now,
  };
  return { outbox: { kind: 'add', entry }, record };
}

/**
 * The next entries to push: the oldest first, at most `max`, stopping before the first entry whose
 * base revision is not known yet (it depends on an earlier write whose result is not known, or it
 * waits for a red sync to refetch its record). Stopping
 * rather than skipping keeps mutation ids increasing on the server: an id lower than one the server
 * already applied would be taken for a retry.
 */
export function selectBatch(entries: readonly OutboxEntry[], max: number): OutboxEntry[] {
  const batch: OutboxEntry[] = [];
  for (const entry of entries) {
    if (batch.length >= max || entry.dependsOn !== undefined || entry.awaitsRev !== undefined) break;
    batch.push(entry);
  }
  return batch;
}

/** The server revision stored in a record, if it has one. */
export function revOf(record: Record<string, unknown> | undefined, revField: string): string | undefined {
  const rev = record?.[revField];
  return typeof rev === 'string' ? rev : undefined;
}

/** A copy of `value` carrying `rev` in `revField` (or no revision field when `rev` is undefined). */
export function withRev(value: Record<string, unknown>, revField: string, rev: string | undefined) {
  const copy: Record<string, unknown> = { ...value };
  if (rev === undefined) delete copy[revField];
  else copy[revField] = rev;
  return copy;
}

/** A copy of `value` without its revision field: what the server knows of it. */
export function withoutRev(value: Record<string, unknown>, revField: string): RecordValue {
  if (!Object.hasOwn(value, revField)) return value;
  const { [revField]: _rev, ...rest } = value;
  return rest;
}
