import type { MutationResult } from '../../src/protocol/messages.js';
import { PROTOCOL_PATHS } from '../../src/protocol/version.js';
import { check, fail } from '../check.js';
import { describeResult, expectApplied } from '../context.js';
import { expectError } from '../expect.js';
import { checkPushAnswer } from '../protocol-client.js';

/** Results compared by what they say (status, rev, reason, current), not by key order. */
function same(a: MutationResult, b: MutationResult): boolean {
  const key = (r: MutationResult) =>
    r.status === 'applied'
      ? `applied ${r.rev}`
      : r.status === 'rejected'
        ? `rejected ${r.reason}`
        : `conflict ${r.current === null ? 'null' : `${r.current.op} ${r.current.rev}`}`;
  return a.mutationId === b.mutationId && key(a) === key(b);
}

export const exactlyOnceChecks = [
  check({
    id: 'exactly-once.retry',
    group: 'exactly-once',
    title: 'a retried push is answered with the stored results and applies nothing again',
    doc: '#exactly-once',
    needs: ['writable'],
    async run(ctx) {
      const w = ctx.writer();
      const x = ctx.id();
      const [rev] = await w.create([[x, ctx.value({ v: 1 })]], 'creating a record');
      const first = await w.push(
        [w.put(ctx.id(), ctx.value({ v: 1 }), null), w.put(x, ctx.value({ v: 2 }), rev!)],
        'pushing a create and an update',
      );
      for (const r of first.results)
        expectApplied(r, 'pushing a create and an update', first.answer.exchange);
      const after = await ctx.head();
      for (let attempt = 1; attempt <= 2; attempt++) {
        const again = await ctx.alice.pushOk(
          first.request,
          `retrying the same push (same client id and mutation ids), try ${attempt + 1}`,
        );
        for (const [i, r] of again.results.entries()) {
          if (!same(r, first.results[i]!)) {
            fail(
              `retrying a push whose mutations were applied (try ${attempt + 1})`,
              `the stored result: ${describeResult(first.results[i])}`,
              describeResult(r),
              first.answer.exchange,
              again.answer.exchange,
            );
          }
        }
        await ctx.expectNothingChanged(after, `retry ${attempt} of an applied push`, again.answer.exchange);
      }
    },
  }),

  check({
    id: 'exactly-once.no-resurrection',
    group: 'exactly-once',
    title: 'retrying an old create after a later delete does not bring the record back',
    doc: '#exactly-once',
    needs: ['writable'],
    async run(ctx) {
      const w = ctx.writer();
      const x = ctx.id();
      const created = await w.push([w.put(x, ctx.value(), null)], 'creating a record');
      const rev = expectApplied(created.results[0]!, 'creating a record', created.answer.exchange);
      const deleted = await w.push([w.del(x, rev)], 'deleting it in a later push');
      expectApplied(deleted.results[0]!, 'deleting it', deleted.answer.exchange);
      const after = await ctx.head();
      const again = await ctx.alice.pushOk(created.request, 'retrying the create (its answer was lost)');
      if (!same(again.results[0]!, created.results[0]!)) {
        fail(
          'retrying an already applied create after a later delete',
          `the stored result: ${describeResult(created.results[0])}`,
          describeResult(again.results[0]),
          created.answer.exchange,
          again.answer.exchange,
        );
      }
      await ctx.expectNothingChanged(after, 'the retried create', again.answer.exchange);
    },
  }),

  check({
    id: 'exactly-once.same-id-other-content',
    group: 'exactly-once',
    title:
      'a mutation id already processed is answered from storage even when its content differs, and not applied',
    doc: '#exactly-once',
    needs: ['writable'],
    async run(ctx) {
      const w = ctx.writer();
      const x = ctx.id();
      const first = await w.push([w.put(x, ctx.value({ v: 1 }), null)], 'creating a record');
      expectApplied(first.results[0]!, 'creating a record', first.answer.exchange);
      const after = await ctx.head();
      const changed = {
        ...first.request,
        mutations: [{ ...first.request.mutations[0]!, value: ctx.value({ v: 'changed' }) }],
      };
      const again = await ctx.alice.pushOk(changed, 'pushing the same mutation id with another value');
      if (!same(again.results[0]!, first.results[0]!)) {
        fail(
          'pushing an already processed mutation id with another value',
          `the stored result: ${describeResult(first.results[0])}`,
          describeResult(again.results[0]),
          again.answer.exchange,
        );
      }
      await ctx.expectNothingChanged(
        after,
        'a processed mutation id sent again with another value',
        again.answer.exchange,
      );
    },
  }),

  check({
    id: 'exactly-once.lower-id',
    group: 'exactly-once',
    title:
      'a mutation id at or below the last processed one is never applied (rejected as expired when no result is stored)',
    doc: '#exactly-once',
    needs: ['writable'],
    async run(ctx) {
      const w = ctx.writer();
      w.skipTo(9);
      const first = await w.push([w.put(ctx.id(), ctx.value(), null)], 'pushing mutation id 10');
      expectApplied(first.results[0]!, 'pushing mutation id 10', first.answer.exchange);
      const after = await ctx.head();
      const late = {
        clientId: w.clientId,
        mutations: [
          {
            mutationId: 5,
            collection: ctx.col,
            id: ctx.id(),
            op: 'put' as const,
            baseRev: null,
            value: ctx.value(),
          },
        ],
      };
      const answer = await ctx.alice.pushOk(late, 'pushing a never seen mutation id 5 after id 10');
      const r = answer.results[0]!;
      if (r.status !== 'rejected' || r.reason !== 'expired') {
        fail(
          'pushing mutation id 5 after id 10 was processed',
          'rejected with reason "expired" (never applied)',
          describeResult(r),
          answer.answer.exchange,
        );
      }
      await ctx.expectNothingChanged(after, 'a mutation id below the last one', answer.answer.exchange);
    },
  }),

  check({
    id: 'exactly-once.duplicate-ids',
    group: 'exactly-once',
    title:
      'mutation ids that do not strictly increase within a push are refused with 400 INVALID_REQUEST, applying nothing',
    doc: '#post-v1push',
    needs: ['writable'],
    async run(ctx) {
      const head = await ctx.head();
      const w = ctx.writer();
      const a = w.put(ctx.id(), ctx.value(), null);
      const b = { ...w.put(ctx.id(), ctx.value(), null), mutationId: a.mutationId };
      for (const [label, mutations] of [
        ['the same mutation id twice', [a, b]],
        [
          'decreasing mutation ids',
          [
            { ...a, mutationId: 2 },
            { ...b, mutationId: 1 },
          ],
        ],
      ] as const) {
        const answer = await ctx.alice.push(w.request([...mutations]));
        expectError(answer, 'INVALID_REQUEST', `pushing ${label}`);
        await ctx.expectNothingChanged(head, `a push with ${label}`, answer.exchange);
      }
    },
  }),

  check({
    id: 'exactly-once.concurrent-retries',
    group: 'exactly-once',
    title: 'the same push sent several times at once is applied once, and every try gets the same answer',
    doc: '#exactly-once',
    needs: ['writable'],
    async run(ctx) {
      const rounds = 2 * ctx.scale;
      for (let round = 1; round <= rounds; round++) {
        const w = ctx.writer();
        const x = ctx.id();
        const [rev] = await w.create([[x, ctx.value({ v: 1 })]], 'creating a record');
        const request = w.request([
          w.put(x, ctx.value({ v: 2 }), rev!),
          w.put(ctx.id(), ctx.value(), null),
          w.del(x, 'cf-not-the-rev'),
        ]);
        const tries = await Promise.all([1, 2, 3].map(() => ctx.alice.push(request)));
        const results = tries.map((answer, i) =>
          checkPushAnswer(answer, request, `sending one push three times at once (try ${i + 1})`),
        );
        const exchanges = tries.map((t) => t.exchange);
        for (const [i, r] of results.entries()) {
          for (const [j, result] of r.entries()) {
            if (!same(result, results[0]![j]!)) {
              fail(
                `sending one push three times at once (round ${round})`,
                `every try answered alike: ${describeResult(results[0]![j])}`,
                `try ${i + 1}: ${describeResult(result)}`,
                ...exchanges,
              );
            }
          }
        }
        const [update, create, conflict] = results[0]!;
        expectApplied(update!, 'sending one push three times at once: the update', exchanges[0]!);
        expectApplied(create!, 'sending one push three times at once: the create', exchanges[0]!);
        if (conflict!.status !== 'conflict')
          fail(
            'sending one push three times at once: the delete with a wrong baseRev',
            'a conflict',
            describeResult(conflict),
            exchanges[0]!,
          );
      }
    },
  }),

  check({
    id: 'exactly-once.lost-answer',
    group: 'exactly-once',
    title: 'a push whose answer was lost can be retried: it is applied once and the retry gets its result',
    doc: '#exactly-once',
    needs: ['writable'],
    async run(ctx) {
      const rounds = 2 * ctx.scale;
      for (let round = 1; round <= rounds; round++) {
        const w = ctx.writer();
        const x = ctx.id();
        const [rev] = await w.create([[x, ctx.value({ v: 1 })]], 'creating a record');
        const before = await ctx.head();
        const request = w.request([w.put(x, ctx.value({ v: 2 }), rev!)]);
        const dropped = await ctx.wire.sendAndDrop(
          'POST',
          PROTOCOL_PATHS.push,
          ctx.alice.headers(),
          JSON.stringify(request),
        );
        const retried = await ctx.alice.pushOk(request, 'retrying a push whose answer was lost');
        const result = retried.results[0]!;
        if (result.status !== 'applied') {
          fail(
            `retrying an update whose first try lost its answer (round ${round})`,
            'applied (by the first try or by this one), with the same rev on every later try',
            `${describeResult(result)}: the first try was applied and the retry ran again instead of getting its stored result`,
            dropped,
            retried.answer.exchange,
          );
        }
        const again = await ctx.alice.pushOk(request, 'retrying it once more');
        if (!same(again.results[0]!, result)) {
          fail(
            'retrying the same push twice after a lost answer',
            describeResult(result),
            describeResult(again.results[0]),
            retried.answer.exchange,
            again.answer.exchange,
          );
        }
        const { changes, exchanges } = await ctx.changesSince(before, 'reading the record after the retries');
        const now = changes.filter((c) => c.id === x).at(-1);
        if (now?.rev !== result.rev || now.op !== 'put' || now.value['v'] !== 2) {
          fail(
            'reading the record after the retries',
            `${x} at rev ${result.rev} with v: 2`,
            JSON.stringify(now ?? null),
            retried.answer.exchange,
            ...exchanges.slice(-1),
          );
        }
      }
    },
  }),

  check({
    id: 'exactly-once.client-id-bound',
    group: 'exactly-once',
    title:
      "a client id is bound to its first user: another user's push with it gets 403 CLIENT_ID_FORBIDDEN and changes nothing",
    doc: '#post-v1push',
    needs: ['writable', 'secondUser'],
    async run(ctx) {
      const w = ctx.writer();
      await w.create([[ctx.id(), ctx.value()]], 'pushing as user 1 to bind the client id');
      const mine = await ctx.head();
      const theirs = await ctx.head(ctx.bob);
      const intruder = ctx.writer(ctx.bob);
      const request = { clientId: w.clientId, mutations: [intruder.put(ctx.id(), ctx.value(), null)] };
      const answer = await ctx.bob.push(request);
      expectError(answer, 'CLIENT_ID_FORBIDDEN', "pushing as user 2 with user 1's client id");
      await ctx.expectNothingChanged(mine, "user 2's push with user 1's client id", answer.exchange);
      const bobs = await ctx.changesSince(theirs, "checking user 2's records", ctx.bob);
      if (bobs.changes.length > 0)
        fail(
          "checking user 2's records after the refused push",
          'no change',
          `${bobs.changes.length} change(s)`,
          answer.exchange,
        );
    },
  }),
];
