import type { MutationResult } from '../../src/protocol/messages.js';
import { check, fail } from '../check.js';
import { describeResult, expectApplied } from '../context.js';
import type { Exchange } from '../exchange.js';
import { sameValue } from '../values.js';

/** The result must be a conflict whose `current` is `expected` (`null`, or op and rev, and value when given). */
function expectConflict(
  result: MutationResult,
  expected: { op: 'put' | 'delete'; rev: string; id: string; value?: Record<string, unknown> } | null,
  what: string,
  exchange: Exchange,
): void {
  const want =
    expected === null
      ? 'a conflict with current: null'
      : `a conflict with current ${expected.op} ${expected.id} at rev "${expected.rev}"`;
  if (result.status !== 'conflict') fail(what, want, describeResult(result), exchange);
  const c = result.current;
  if (expected === null) {
    if (c !== null) fail(what, want, describeResult(result), exchange);
    return;
  }
  if (c === null || c.op !== expected.op || c.rev !== expected.rev || c.id !== expected.id)
    fail(what, want, `current: ${JSON.stringify(c)}`, exchange);
  if (expected.value !== undefined && (c.op !== 'put' || !sameValue(c.value, expected.value))) {
    fail(what, `current.value ${JSON.stringify(expected.value)}`, `current: ${JSON.stringify(c)}`, exchange);
  }
  if (c.op === 'delete' && 'value' in c)
    fail(what, 'a deleted current without value', `current: ${JSON.stringify(c)}`, exchange);
}

export const conflictChecks = [
  check({
    id: 'conflicts.stale-base-rev',
    group: 'conflicts',
    title:
      "a put or delete whose baseRev is not the record's rev is a conflict carrying the server's record, and is not applied",
    doc: '#conflict-rules',
    needs: ['writable'],
    async run(ctx) {
      const [phone, laptop] = [ctx.writer(), ctx.writer()];
      const x = ctx.id();
      const [rev] = await phone.create([[x, ctx.value({ by: 'phone' })]], 'creating a record on one client');
      const edit = await laptop.push(
        [laptop.put(x, ctx.value({ by: 'laptop' }), rev!)],
        'updating it on another client',
      );
      const newRev = expectApplied(edit.results[0]!, 'updating it on another client', edit.answer.exchange);
      const after = await ctx.head();
      const late = await phone.push(
        [phone.put(x, ctx.value({ by: 'phone', v: 2 }), rev!), phone.del(x, rev!)],
        'updating and deleting from the stale rev',
      );
      const current = { op: 'put' as const, id: x, rev: newRev, value: ctx.value({ by: 'laptop' }) };
      expectConflict(late.results[0]!, current, 'putting with a stale baseRev', late.answer.exchange);
      expectConflict(late.results[1]!, current, 'deleting with a stale baseRev', late.answer.exchange);
      await ctx.expectNothingChanged(after, 'two conflicting mutations', late.answer.exchange);
    },
  }),

  check({
    id: 'conflicts.create-existing',
    group: 'conflicts',
    title:
      'a create of a live id conflicts, unless this client wrote the same value last (then applied with the existing rev, nothing written)',
    doc: '#conflict-rules',
    needs: ['writable'],
    async run(ctx) {
      const [phone, laptop] = [ctx.writer(), ctx.writer()];
      const x = ctx.id();
      const [rev] = await phone.create([[x, ctx.value({ a: 1, b: { c: 2, d: 3 } })]], 'creating a record');
      const after = await ctx.head();
      const other = await laptop.push(
        [laptop.put(x, ctx.value({ a: 1, b: { c: 2, d: 3 } }), null)],
        'creating the same id on another client',
      );
      expectConflict(
        other.results[0]!,
        { op: 'put', id: x, rev: rev! },
        'creating an id another client created',
        other.answer.exchange,
      );
      // The same client again under a new mutation id, keys in another order: an idempotent create.
      const reordered = { b: { d: 3, c: 2 }, a: 1, cfRun: ctx.setup.runId };
      const again = await phone.push(
        [phone.put(x, reordered, null)],
        'creating the same record again from the same client (keys reordered)',
      );
      const r = again.results[0]!;
      if (r.status !== 'applied' || r.rev !== rev) {
        fail(
          're-creating a record this client wrote, with an equal value',
          `applied with the existing rev "${rev}"`,
          describeResult(r),
          again.answer.exchange,
        );
      }
      await ctx.expectNothingChanged(after, 'an idempotent create', again.answer.exchange);
      const changed = await phone.push(
        [phone.put(x, ctx.value({ a: 2 }), null)],
        'creating it again from the same client with another value',
      );
      expectConflict(
        changed.results[0]!,
        { op: 'put', id: x, rev: rev! },
        'creating a live id with another value',
        changed.answer.exchange,
      );
      await ctx.expectNothingChanged(after, 'a conflicting create', changed.answer.exchange);
    },
  }),

  check({
    id: 'conflicts.missing-record',
    group: 'conflicts',
    title:
      'an update of an id the server never had conflicts with current: null; a delete of it is applied and leaves a tombstone',
    doc: '#conflict-rules',
    needs: ['writable'],
    async run(ctx) {
      const w = ctx.writer();
      const [ghost, gone] = [ctx.id(), ctx.id()];
      const after = await ctx.head();
      const answer = await w.push([w.put(ghost, ctx.value(), '1')], 'updating an id the server never had');
      expectConflict(answer.results[0]!, null, 'updating an id the server never had', answer.answer.exchange);
      await ctx.expectNothingChanged(after, 'an update of a missing record', answer.answer.exchange);
      const del = await w.push([w.del(gone, '1')], 'deleting an id the server never had (purged long ago)');
      const rev = expectApplied(del.results[0]!, 'deleting an id the server never had', del.answer.exchange);
      const { changes, exchanges } = await ctx.changesSince(after, 'pulling after that delete');
      const tomb = changes.find((c) => c.id === gone);
      if (tomb?.op !== 'delete' || tomb.rev !== rev)
        fail(
          'pulling after deleting a missing record',
          `a delete of ${gone} at rev ${rev}`,
          JSON.stringify(tomb ?? null),
          del.answer.exchange,
          ...exchanges,
        );
      const create = await w.push([w.put(gone, ctx.value(), null)], 'creating that id again');
      expectApplied(create.results[0]!, 'creating an id that has a tombstone', create.answer.exchange);
    },
  }),

  check({
    id: 'conflicts.tombstones',
    group: 'conflicts',
    title:
      "a tombstone's rev counts: a stale put conflicts with it, a put on its rev recreates, a delete of it is applied with its rev",
    doc: '#conflict-rules',
    needs: ['writable'],
    async run(ctx) {
      const w = ctx.writer();
      const x = ctx.id();
      const [rev] = await w.create([[x, ctx.value({ v: 1 })]], 'creating a record');
      const del = await w.push([w.del(x, rev!)], 'deleting it');
      const tombRev = expectApplied(del.results[0]!, 'deleting it', del.answer.exchange);
      const after = await ctx.head();
      const stale = await w.push(
        [w.put(x, ctx.value({ v: 2 }), rev!)],
        'updating the deleted record from its old rev',
      );
      expectConflict(
        stale.results[0]!,
        { op: 'delete', id: x, rev: tombRev },
        'updating a deleted record',
        stale.answer.exchange,
      );
      const twice = await w.push([w.del(x, rev!)], 'deleting it again');
      const r = twice.results[0]!;
      if (r.status !== 'applied' || r.rev !== tombRev)
        fail(
          'deleting a deleted record',
          `applied with the tombstone's rev "${tombRev}"`,
          describeResult(r),
          twice.answer.exchange,
        );
      await ctx.expectNothingChanged(after, 'a stale update and a repeated delete', twice.answer.exchange);
      const back = await w.push(
        [w.put(x, ctx.value({ v: 3 }), tombRev)],
        "recreating it on the tombstone's rev",
      );
      const newRev = expectApplied(back.results[0]!, "putting on the tombstone's rev", back.answer.exchange);
      const { changes, exchanges } = await ctx.changesSince(after, 'pulling the recreated record');
      const got = changes.find((c) => c.id === x);
      if (got?.op !== 'put' || got.rev !== newRev || got.value['v'] !== 3)
        fail(
          'pulling a recreated record',
          `a put of ${x} at rev ${newRev}`,
          JSON.stringify(got ?? null),
          ...exchanges,
        );
    },
  }),

  check({
    id: 'conflicts.read-only',
    group: 'conflicts',
    title:
      'a write to a read-only collection is rejected with reason "read-only" and never applied; the rest of the push goes on',
    doc: '#post-v1push',
    needs: ['writable', 'readOnlyCollection'],
    async run(ctx) {
      const ro = ctx.setup.collections.readOnly!.name;
      const w = ctx.writer();
      const id = ctx.id();
      const answer = await w.push(
        [w.put(id, ctx.value(), null, ro), w.del(id, '1', ro), w.put(ctx.id(), ctx.value(), null)],
        `writing to the read-only collection ${ro}, then to ${ctx.col}`,
      );
      for (const r of answer.results.slice(0, 2)) {
        if (r.status !== 'rejected' || r.reason !== 'read-only')
          fail(
            `writing to the read-only collection ${ro}`,
            'rejected with reason "read-only"',
            describeResult(r),
            answer.answer.exchange,
          );
      }
      expectApplied(
        answer.results[2]!,
        'the writable mutation after the rejected ones',
        answer.answer.exchange,
      );
      const { state, exchanges } = await ctx.snapshot(`reading ${ro}`, ctx.alice, ro, ctx.runFilter);
      if (state.has(id))
        fail(
          `reading ${ro} after the rejected write`,
          `no record ${id}`,
          'the record is there',
          answer.answer.exchange,
          ...exchanges,
        );
    },
  }),

  check({
    id: 'conflicts.invalid',
    group: 'conflicts',
    title:
      'a put without value or a delete without baseRev is rejected with reason "invalid"; the rest of the push goes on',
    doc: '#post-v1push',
    needs: ['writable'],
    async run(ctx) {
      const w = ctx.writer();
      const [a, b] = [ctx.id(), ctx.id()];
      const after = await ctx.head();
      const { value: _unused, ...noValue } = w.put(a, {}, null);
      const answer = await w.push(
        [noValue, w.del(b, null)],
        'pushing a put without value and a delete without baseRev',
      );
      for (const r of answer.results) {
        if (r.status !== 'rejected' || r.reason !== 'invalid')
          fail(
            'pushing malformed mutations',
            'rejected with reason "invalid"',
            describeResult(r),
            answer.answer.exchange,
          );
      }
      await ctx.expectNothingChanged(after, 'rejected mutations', answer.answer.exchange);
      const next = await w.push(
        [w.put(a, ctx.value(), null)],
        'pushing a valid mutation from the same client',
      );
      expectApplied(next.results[0]!, 'pushing a valid mutation after rejected ones', next.answer.exchange);
    },
  }),

  check({
    id: 'conflicts.user-isolation',
    group: 'conflicts',
    title: "users never see or touch each other's records of a per-user collection, whatever ids they send",
    doc: '#conflict-rules',
    needs: ['writable', 'userScoped', 'secondUser'],
    async run(ctx) {
      const x = ctx.id();
      const alice = ctx.writer();
      const [rev] = await alice.create([[x, ctx.value({ owner: 'user 1' })]], 'creating a record as user 1');
      const mine = await ctx.head();
      const theirs = await ctx.snapshot('reading the collection as user 2', ctx.bob);
      if (theirs.state.has(x))
        fail(
          'reading as user 2',
          "no trace of user 1's record",
          `${x} served to user 2`,
          ...theirs.exchanges,
        );
      const bob = ctx.writer(ctx.bob);
      const answer = await bob.push(
        [bob.put(x, ctx.value({ owner: 'user 2' }), null)],
        'creating the same id as user 2',
      );
      expectApplied(answer.results[0]!, 'creating, as user 2, an id user 1 has', answer.answer.exchange);
      const update = await bob.push(
        [bob.put(x, ctx.value({ owner: 'user 2', v: 2 }), rev!), bob.del(x, rev!)],
        "writing that id as user 2 with user 1's rev",
      );
      void update;
      await ctx.expectNothingChanged(mine, "user 2's writes to the same id");
    },
  }),
];
