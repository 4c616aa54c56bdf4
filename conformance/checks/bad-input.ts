import { type ErrorCode, errorBodySchema } from '../../src/protocol/error-codes.js';
import { PROTOCOL_LIMITS, PROTOCOL_PATHS } from '../../src/protocol/version.js';
import { check, fail, skip } from '../check.js';
import type { CheckContext } from '../context.js';
import { expectApplied } from '../context.js';
import { expectError } from '../expect.js';
import type { Answer } from '../wire.js';

/** Sends `body` raw (a string) or as JSON, and expects the error `code`. */
async function refused(
  ctx: CheckContext,
  path: string,
  body: unknown,
  code: ErrorCode,
  what: string,
): Promise<Answer> {
  const answer = await ctx.alice.send('POST', path, { body });
  expectError(answer, code, what);
  return answer;
}

export const badInputChecks = [
  check({
    id: 'bad-input.malformed-json',
    group: 'bad-input',
    title: 'a body that is not JSON is answered 400 MALFORMED_JSON and changes nothing',
    doc: '#errors',
    needs: ['writable'],
    async run(ctx) {
      const head = await ctx.head();
      await refused(
        ctx,
        PROTOCOL_PATHS.pull,
        `{"collection": "${ctx.col}", `,
        'MALFORMED_JSON',
        'pulling with a truncated JSON body',
      );
      const push = await refused(
        ctx,
        PROTOCOL_PATHS.push,
        'not json',
        'MALFORMED_JSON',
        'pushing a body that is not JSON',
      );
      await ctx.expectNothingChanged(head, 'a push that is not JSON', push.exchange);
    },
  }),

  check({
    id: 'bad-input.wrong-types',
    group: 'bad-input',
    title:
      'a body that does not match the schema is answered 400 INVALID_REQUEST with details.issues, and changes nothing',
    doc: '#errors',
    needs: ['writable'],
    async run(ctx) {
      const head = await ctx.head();
      const pull = (over: Record<string, unknown>) => ({
        collection: ctx.col,
        checkpoint: null,
        windowSize: 10,
        ...over,
      });
      const first = await refused(
        ctx,
        PROTOCOL_PATHS.pull,
        pull({ checkpoint: 42 }),
        'INVALID_REQUEST',
        'pulling with checkpoint: 42',
      );
      const issues = errorBodySchema.parse(first.json).error.details?.issues;
      const wellFormed =
        Array.isArray(issues) &&
        issues.length > 0 &&
        issues.every(
          (i) =>
            typeof i === 'object' &&
            i !== null &&
            typeof i.path === 'string' &&
            typeof i.message === 'string',
        );
      if (!wellFormed) {
        fail(
          'pulling with checkpoint: 42',
          'details.issues: [{ path, message }, …]',
          `details.issues: ${JSON.stringify(issues)}`,
          first.exchange,
        );
      }
      await refused(ctx, PROTOCOL_PATHS.pull, '[]', 'INVALID_REQUEST', 'pulling with a JSON array as body');
      await refused(
        ctx,
        PROTOCOL_PATHS.pull,
        pull({ collection: 'Not A Name' }),
        'INVALID_REQUEST',
        'pulling a collection name outside ^[a-z][a-z0-9_]{0,62}$',
      );
      const mutation = {
        mutationId: 1,
        collection: ctx.col,
        id: ctx.id(),
        op: 'put',
        baseRev: null,
        value: ctx.value(),
      };
      const clientId = `cf-${ctx.setup.runId}-wrong-types`;
      const cases: [string, unknown][] = [
        ['a string mutationId', { clientId, mutations: [{ ...mutation, mutationId: '1' }] }],
        ['an array as value', { clientId, mutations: [{ ...mutation, value: [1, 2] }] }],
        ['op "upsert"', { clientId, mutations: [{ ...mutation, op: 'upsert' }] }],
        ['no clientId', { mutations: [mutation] }],
        ['an empty record id', { clientId, mutations: [{ ...mutation, id: '' }] }],
        [
          `a record id of ${PROTOCOL_LIMITS.maxIdLength + 1} characters`,
          { clientId, mutations: [{ ...mutation, id: 'x'.repeat(PROTOCOL_LIMITS.maxIdLength + 1) }] },
        ],
        [
          `a clientId of ${PROTOCOL_LIMITS.maxClientIdLength + 1} characters`,
          { clientId: 'c'.repeat(PROTOCOL_LIMITS.maxClientIdLength + 1), mutations: [mutation] },
        ],
      ];
      for (const [label, body] of cases) {
        const answer = await refused(ctx, PROTOCOL_PATHS.push, body, 'INVALID_REQUEST', `pushing ${label}`);
        await ctx.expectNothingChanged(head, `a push with ${label}`, answer.exchange);
      }
    },
  }),

  check({
    id: 'bad-input.window-size',
    group: 'bad-input',
    title: 'a windowSize that is not an integer from 1 to 100,000 is answered 400 INVALID_WINDOW_SIZE',
    doc: '#post-v1pull',
    needs: ['writable'],
    async run(ctx) {
      for (const windowSize of [0, -5, 2.5, PROTOCOL_LIMITS.maxWindowSize + 1, '10', null]) {
        await refused(
          ctx,
          PROTOCOL_PATHS.pull,
          { collection: ctx.col, checkpoint: null, windowSize },
          'INVALID_WINDOW_SIZE',
          `pulling with windowSize: ${JSON.stringify(windowSize)}`,
        );
      }
    },
  }),

  check({
    id: 'bad-input.unknown-collection',
    group: 'bad-input',
    title:
      'an unknown collection is answered 404 UNKNOWN_COLLECTION; a push naming one applies none of its mutations',
    doc: '#post-v1push',
    needs: ['writable'],
    async run(ctx) {
      const unknown = `cf_missing_${ctx.setup.runId}`;
      await refused(
        ctx,
        PROTOCOL_PATHS.pull,
        { collection: unknown, checkpoint: null, windowSize: 10 },
        'UNKNOWN_COLLECTION',
        `pulling collection "${unknown}"`,
      );
      const head = await ctx.head();
      const w = ctx.writer();
      const request = w.request([
        w.put(ctx.id(), ctx.value(), null),
        w.put(ctx.id(), ctx.value(), null, unknown),
      ]);
      const answer = await ctx.alice.push(request);
      expectError(
        answer,
        'UNKNOWN_COLLECTION',
        `pushing a valid mutation followed by one to collection "${unknown}"`,
      );
      await ctx.expectNothingChanged(head, 'a push naming an unknown collection', answer.exchange);
    },
  }),

  check({
    id: 'bad-input.oversized-body',
    group: 'bad-input',
    title: 'a body above maxBodyBytes is answered 413 PAYLOAD_TOO_LARGE and changes nothing',
    doc: '#get-v1capabilities',
    needs: ['writable'],
    async run(ctx) {
      const limit = ctx.caps.maxBodyBytes;
      if (limit > 16 * 1024 * 1024) skip(`maxBodyBytes is ${limit}: the kit sends at most 16 MiB`);
      const head = await ctx.head();
      const w = ctx.writer();
      const pushBody = JSON.stringify(
        w.request([w.put(ctx.id(), ctx.value({ blob: 'x'.repeat(limit + 1024) }), null)]),
      );
      const pullBody = JSON.stringify({
        collection: ctx.col,
        checkpoint: null,
        windowSize: 1,
        filter: { cfPad: 'x'.repeat(limit + 1024) },
      });
      for (const [path, body] of [
        [PROTOCOL_PATHS.push, pushBody],
        [PROTOCOL_PATHS.pull, pullBody],
      ] as const) {
        const what = `sending ${body.length} bytes to ${path} (maxBodyBytes ${limit})`;
        const answer = await ctx.wire.sendReadingEarly('POST', path, ctx.alice.headers(), body);
        expectError(answer, 'PAYLOAD_TOO_LARGE', what);
        if (answer.resetAfterAnswer) {
          ctx.note(
            `${path}: the server answered 413, then closed the connection before reading the whole body (fetch-based clients may see a network error instead of the 413)`,
          );
        }
        if (path === PROTOCOL_PATHS.push)
          await ctx.expectNothingChanged(head, 'an oversized push', answer.exchange);
      }
    },
  }),

  check({
    id: 'bad-input.too-many-mutations',
    group: 'bad-input',
    title:
      'a push with more than maxMutationsPerPush mutations is answered 413 PAYLOAD_TOO_LARGE and changes nothing',
    doc: '#get-v1capabilities',
    needs: ['writable'],
    async run(ctx) {
      const max = ctx.caps.maxMutationsPerPush;
      const head = await ctx.head();
      const w = ctx.writer();
      const request = w.request(
        Array.from({ length: max + 1 }, (_, i) => w.put(`${ctx.id()}-${i}`, {}, null)),
      );
      const body = JSON.stringify(request);
      if (body.length > ctx.caps.maxBodyBytes) {
        ctx.note(
          `${max + 1} mutations take ${body.length} bytes, above maxBodyBytes: the 413 may come from either limit`,
        );
      }
      const answer = await refused(
        ctx,
        PROTOCOL_PATHS.push,
        body,
        'PAYLOAD_TOO_LARGE',
        `pushing ${max + 1} mutations (maxMutationsPerPush ${max})`,
      );
      await ctx.expectNothingChanged(head, `a push of ${max + 1} mutations`, answer.exchange);
      // Exactly the limit is fine.
      const w2 = ctx.writer();
      const atLimit = Math.min(max, 50 * ctx.scale);
      const ok = await w2.push(
        Array.from({ length: atLimit }, (_, i) => w2.put(`${ctx.id()}-${i}`, ctx.value(), null)),
        `pushing ${atLimit} mutations (within maxMutationsPerPush ${max})`,
      );
      for (const r of ok.results) expectApplied(r, `pushing ${atLimit} mutations`, ok.answer.exchange);
    },
  }),

  check({
    id: 'bad-input.unknown-fields-ignored',
    group: 'bad-input',
    title: 'unknown fields in a request are ignored, never refused',
    doc: '#conventions',
    needs: ['writable'],
    async run(ctx) {
      const { answer } = await ctx.alice.pullOk(
        { collection: ctx.col, checkpoint: null, windowSize: 1, cfFutureField: { nested: true } } as never,
        'pulling with an extra top-level field',
      );
      void answer;
      const w = ctx.writer();
      const m = { ...w.put(ctx.id(), ctx.value(), null), cfFutureField: 1 };
      const { results, answer: pushed } = await ctx.alice.pushOk(
        { clientId: w.clientId, mutations: [m], cfFutureField: 'x' } as never,
        'pushing with extra fields at the top and in a mutation',
      );
      expectApplied(results[0]!, 'pushing with extra fields', pushed.exchange);
    },
  }),

  check({
    id: 'bad-input.endpoints',
    group: 'bad-input',
    title: 'an unknown endpoint is 404 NOT_FOUND, a wrong method 405 METHOD_NOT_ALLOWED',
    doc: '#errors',
    async run(ctx) {
      expectError(
        await ctx.alice.send('POST', `/v1/cf-no-such-endpoint`, { body: {} }),
        'NOT_FOUND',
        'POST /v1/cf-no-such-endpoint',
      );
      expectError(await ctx.alice.send('GET', PROTOCOL_PATHS.pull), 'METHOD_NOT_ALLOWED', 'GET /v1/pull');
      expectError(
        await ctx.alice.send('PUT', PROTOCOL_PATHS.push, { body: {} }),
        'METHOD_NOT_ALLOWED',
        'PUT /v1/push',
      );
    },
  }),
];
