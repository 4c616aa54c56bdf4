import type { Mutation, MutationResult, RecordValue } from '../../src/protocol/messages.js';
import { check, fail, skip } from '../check.js';
import { type CheckContext, describeResult, expectApplied, type Writer } from '../context.js';
import type { Exchange } from '../exchange.js';
import { checkPushAnswer } from '../protocol-client.js';
import { sameValue } from '../values.js';

/** The raw `code` of result `i` of a push answer (a field newer servers add to `rejected`). */
function rejectCode(json: unknown, i: number): unknown {
  return (json as { results?: { code?: unknown }[] } | undefined)?.results?.[i]?.code;
}

/**
 * Pushes `cases` then one ordinary mutation; each case must be rejected as `invalid` (with
 * `code`, when the server sends one) or, for `storable` cases, applied and stored exactly; the
 * ordinary mutation must be applied: one bad mutation never fails the push.
 */
async function pushCases(
  ctx: CheckContext,
  w: Writer,
  cases: { label: string; mutation: Mutation; code: string; storable: boolean }[],
  what: string,
): Promise<{ results: MutationResult[]; exchange: Exchange }> {
  const before = await ctx.head();
  const request = w.request([...cases.map((c) => c.mutation), w.put(ctx.id('ok'), ctx.value(), null)]);
  const answer = await ctx.alice.push(request);
  if (answer.status >= 500) {
    fail(
      what,
      'a 200 with one result per mutation (an unstorable mutation is rejected alone)',
      `${answer.status}: the whole push failed, so a client retrying it would never get past it`,
      answer.exchange,
    );
  }
  const results = checkPushAnswer(answer, request, what);
  const { changes, exchanges } = await ctx.changesSince(before, `pulling after ${what}`);
  for (const [i, c] of cases.entries()) {
    const r = results[i]!;
    const code = rejectCode(answer.json, i);
    if (r.status === 'rejected' && r.reason === 'invalid') {
      if (code !== undefined && code !== c.code)
        fail(
          `${what}: ${c.label}`,
          `rejected with code "${c.code}" (or no code)`,
          `code ${JSON.stringify(code)}`,
          answer.exchange,
        );
      if (changes.some((x) => x.id === c.mutation.id))
        fail(
          `${what}: ${c.label}`,
          'nothing written for a rejected mutation',
          `a change of ${JSON.stringify(c.mutation.id)}`,
          answer.exchange,
          ...exchanges,
        );
      continue;
    }
    if (r.status === 'applied' && c.storable) {
      // A server that can store it must store it as sent, never altered.
      const got = changes.filter((x) => x.id === c.mutation.id).at(-1);
      if (got?.op !== 'put' || !sameValue(got.value, c.mutation.value)) {
        fail(
          `${what}: ${c.label}`,
          'rejected as invalid, or stored exactly as sent',
          `applied, then pulled as ${JSON.stringify(got ?? null)}`,
          answer.exchange,
          ...exchanges,
        );
      }
      ctx.note(`${c.label}: stored as sent`);
      continue;
    }
    fail(
      `${what}: ${c.label}`,
      `rejected with reason "invalid"${c.storable ? ' (or stored exactly as sent)' : ''}`,
      describeResult(r),
      answer.exchange,
    );
  }
  expectApplied(results[cases.length]!, `${what}: the ordinary mutation after the others`, answer.exchange);
  return { results, exchange: answer.exchange };
}

/** An object nested `depth` levels deep (the value itself is level 1). */
function nested(depth: number, leaf: RecordValue): RecordValue {
  let value: RecordValue = leaf;
  for (let level = 1; level < depth; level++) value = { d: value };
  return value;
}

export const contentChecks = [
  check({
    id: 'conflicts.unstorable-content',
    group: 'conflicts',
    title:
      'a NUL character or an unpaired surrogate in an id, key or string is rejected as invalid (or stored as sent), never a failed push',
    doc: '#conventions',
    needs: ['writable'],
    async run(ctx) {
      const w = ctx.writer();
      const code = 'NOT_STORABLE';
      await pushCases(
        ctx,
        w,
        [
          {
            label: 'a NUL character in a string of the value',
            mutation: w.put(ctx.id(), ctx.value({ s: 'a\u0000b' }), null),
            code,
            storable: true,
          },
          {
            label: 'a NUL character in a key of the value',
            mutation: w.put(ctx.id(), ctx.value({ 'k\u0000': 1 }), null),
            code,
            storable: true,
          },
          {
            label: 'an unpaired surrogate in a string of the value',
            mutation: w.put(ctx.id(), ctx.value({ s: 'x\ud800y' }), null),
            code,
            storable: true,
          },
          {
            label: 'a NUL character in the record id',
            mutation: w.put(`${ctx.id()}\u0000`, ctx.value(), null),
            code,
            storable: true,
          },
          {
            label: 'an unpaired surrogate in the record id',
            mutation: w.put(`${ctx.id()}\udc00`, ctx.value(), null),
            code,
            storable: true,
          },
        ],
        'pushing strings a database may not store, then an ordinary mutation',
      );
    },
  }),

  check({
    id: 'conflicts.value-limits',
    group: 'conflicts',
    title:
      'a value above the announced maxValueBytes or maxValueDepth is rejected as invalid (VALUE_TOO_LARGE, VALUE_TOO_DEEP); one at the limit is applied',
    doc: '#post-v1push',
    needs: ['writable'],
    async run(ctx) {
      const maxBytes = ctx.limit('maxValueBytes');
      const maxDepth = ctx.limit('maxValueDepth');
      if (maxBytes === undefined && maxDepth === undefined)
        skip('the server announces neither maxValueBytes nor maxValueDepth');
      const w = ctx.writer();
      if (maxDepth !== undefined) {
        if (maxDepth > 1000) {
          ctx.note(`maxValueDepth ${maxDepth}: depth not checked (above 1000)`);
        } else {
          const atLimit = await w.push(
            [w.put(ctx.id(), nested(maxDepth, ctx.value()), null)],
            `pushing a value nested ${maxDepth} levels (maxValueDepth)`,
          );
          expectApplied(
            atLimit.results[0]!,
            `pushing a value nested exactly maxValueDepth (${maxDepth}) levels`,
            atLimit.answer.exchange,
          );
          await pushCases(
            ctx,
            w,
            [
              {
                label: `a value nested ${maxDepth + 1} levels`,
                mutation: w.put(ctx.id(), nested(maxDepth + 1, ctx.value()), null),
                code: 'VALUE_TOO_DEEP',
                storable: false,
              },
            ],
            `pushing a value deeper than maxValueDepth (${maxDepth})`,
          );
        }
      }
      if (maxBytes !== undefined) {
        if (maxBytes + 4096 > ctx.caps.maxBodyBytes || maxBytes > 16 * 1024 * 1024) {
          ctx.note(
            `maxValueBytes ${maxBytes}: a larger value does not fit a request body (maxBodyBytes ${ctx.caps.maxBodyBytes}); size not checked`,
          );
        } else {
          const sized = (bytes: number): RecordValue => {
            const base = ctx.value({ pad: '' });
            return { ...base, pad: 'x'.repeat(bytes - Buffer.byteLength(JSON.stringify(base))) };
          };
          const atLimit = await w.push(
            [w.put(ctx.id(), sized(maxBytes), null)],
            `pushing a value of exactly maxValueBytes (${maxBytes})`,
          );
          expectApplied(
            atLimit.results[0]!,
            `pushing a value of exactly maxValueBytes (${maxBytes} bytes of compact JSON)`,
            atLimit.answer.exchange,
          );
          await pushCases(
            ctx,
            w,
            [
              {
                label: `a value of ${maxBytes + 1} bytes`,
                mutation: w.put(ctx.id(), sized(maxBytes + 1), null),
                code: 'VALUE_TOO_LARGE',
                storable: false,
              },
            ],
            `pushing a value above maxValueBytes (${maxBytes})`,
          );
        }
      }
    },
  }),
];
