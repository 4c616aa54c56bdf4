import { pullResponseSchema, pushResponseSchema, WS_CLOSE_CODES } from '../../src/protocol/messages.js';
import { PROTOCOL_QUERY } from '../../src/protocol/version.js';
import { check, fail, skip } from '../check.js';
import type { CheckContext } from '../context.js';
import { type WsMessage, WsSession } from '../ws-session.js';

type Obj = Record<string, unknown>;
const obj = (m: WsMessage | undefined): Obj | undefined => (typeof m === 'object' ? m : undefined);

/** Opens a session and says hello as user 1 (or with `hello` overrides); `expectHello` waits for the answer. */
async function session(ctx: CheckContext, hello: Obj | null, expectHello = true): Promise<WsSession> {
  const ws = await WsSession.open(ctx.setup.WebSocket!, ctx.wire);
  if (hello === null) return ws;
  ws.send({
    type: 'hello',
    token: ctx.setup.users[0]!.token,
    schemaVersion: ctx.setup.schemaVersion,
    ...hello,
  });
  if (!expectHello) return ws;
  const answer = obj(await ws.next((m) => obj(m)?.['type'] !== 'heartbeat', ctx.setup.maxWaitMs));
  if (
    answer?.['type'] !== 'hello' ||
    answer['protocolVersion'] !== 1 ||
    typeof answer['heartbeatMs'] !== 'number'
  ) {
    ws.close();
    fail(
      'saying hello on /v1/ws',
      '{ type: "hello", protocolVersion: 1, heartbeatMs }',
      answer === undefined ? 'no answer' : JSON.stringify(answer),
      ws.exchange,
    );
  }
  return ws;
}

/** The `result` or `error` answering `requestId`. */
async function answerTo(ctx: CheckContext, ws: WsSession, requestId: string, what: string): Promise<Obj> {
  const m = obj(await ws.next((x) => obj(x)?.['requestId'] === requestId, ctx.setup.maxWaitMs));
  if (m === undefined)
    fail(
      what,
      `an answer with requestId "${requestId}"`,
      ws.isClosed ? 'the session closed' : 'none in time',
      ws.exchange,
    );
  return m;
}

/** The session must end with an error without requestId and close code `code`. */
async function endsWith(ctx: CheckContext, ws: WsSession, code: number, what: string): Promise<void> {
  const closed = await ws.closedWithin(ctx.setup.maxWaitMs);
  ws.close();
  if (closed?.code !== code)
    fail(
      what,
      `an error, then close code ${code}`,
      closed === undefined ? 'the session stayed open' : `close code ${closed.code}`,
      ws.exchange,
    );
  const error = ws.received.map(obj).find((m) => m?.['type'] === 'error');
  if (error === undefined || error['requestId'] !== undefined)
    fail(
      what,
      'an error message without requestId before the close',
      error === undefined ? 'none' : JSON.stringify(error),
      ws.exchange,
    );
}

export const websocketChecks = [
  check({
    id: 'websocket.pull-and-push',
    group: 'websocket',
    title:
      '/v1/ws answers pulls and pushes like HTTP, one at a time in the order sent, each with its requestId',
    doc: '#v1ws-websocket',
    needs: ['writable', 'websocket'],
    async run(ctx) {
      const before = await ctx.head();
      const ws = await session(ctx, {});
      try {
        const w = ctx.writer();
        const x = ctx.id();
        ws.send({ type: 'push', requestId: 'r1', body: w.request([w.put(x, ctx.value(), null)]) });
        ws.send({
          type: 'pull',
          requestId: 'r2',
          body: { collection: ctx.col, checkpoint: before, windowSize: ctx.caps.maxWindowSize },
        });
        const pushed = await answerTo(ctx, ws, 'r1', 'pushing over /v1/ws');
        const pushBody = pushResponseSchema.safeParse(pushed['body']);
        if (
          pushed['type'] !== 'result' ||
          !pushBody.success ||
          pushBody.data.results[0]?.status !== 'applied'
        ) {
          fail(
            'pushing a create over /v1/ws',
            'a result with an applied PushResponse',
            JSON.stringify(pushed).slice(0, 300),
            ws.exchange,
          );
        }
        const pulled = await answerTo(ctx, ws, 'r2', 'pulling over /v1/ws right after the push');
        const pullBody = pullResponseSchema.safeParse(pulled['body']);
        if (pulled['type'] !== 'result' || !pullBody.success)
          fail(
            'pulling over /v1/ws',
            'a result with a PullResponse',
            JSON.stringify(pulled).slice(0, 300),
            ws.exchange,
          );
        if (ws.received.indexOf(pulled) < ws.received.indexOf(pushed))
          fail(
            'sending a push then a pull',
            'the answers in the same order',
            'the pull answered first',
            ws.exchange,
          );
        const got = pullBody.data.changes.find((c) => c.id === x);
        if (got === undefined && !pullBody.data.moreAvailable)
          fail(
            'pulling over /v1/ws after a push on the same session',
            `the pushed record ${x} (requests run in order)`,
            'a page without it',
            ws.exchange,
          );
      } finally {
        ws.close();
      }
    },
  }),

  check({
    id: 'websocket.pokes',
    group: 'websocket',
    title: '/v1/ws pokes the session after each committed change it can see',
    doc: '#v1ws-websocket',
    needs: ['writable', 'websocket'],
    async run(ctx) {
      const ws = await session(ctx, {});
      try {
        const before = await ctx.head();
        const from = ws.received.length;
        const x = ctx.id();
        await ctx.writer().create([[x, ctx.value()]], 'pushing over HTTP from another client');
        const poke = obj(
          await ws.next(
            (m) => obj(m)?.['type'] === 'poke' && obj(m)?.['collection'] === ctx.col,
            ctx.setup.maxWaitMs,
            from,
          ),
        );
        if (poke === undefined)
          fail(
            'waiting for a poke on /v1/ws',
            `{ type: "poke", collection: "${ctx.col}", seq } within ${ctx.setup.maxWaitMs} ms`,
            'none',
            ws.exchange,
          );
        if (typeof poke['seq'] !== 'number')
          fail('reading a poke', 'a numeric seq', JSON.stringify(poke), ws.exchange);
        const { changes, exchanges } = await ctx.changesSince(before, 'pulling right after the poke');
        if (!changes.some((c) => c.id === x))
          fail(
            'pulling right after a poke',
            `the poked change (${x})`,
            'a page without it',
            ws.exchange,
            ...exchanges,
          );
      } finally {
        ws.close();
      }
    },
  }),

  check({
    id: 'websocket.request-errors',
    group: 'websocket',
    title: 'a refused request on /v1/ws is answered by an error with its requestId, and the session goes on',
    doc: '#v1ws-websocket',
    needs: ['writable', 'websocket'],
    async run(ctx) {
      const ws = await session(ctx, {});
      try {
        ws.send({
          type: 'pull',
          requestId: 'bad',
          body: { collection: `cf_missing_${ctx.setup.runId}`, checkpoint: null, windowSize: 1 },
        });
        const error = await answerTo(ctx, ws, 'bad', 'pulling an unknown collection over /v1/ws');
        const code = ((error['body'] as Obj | undefined)?.['error'] as Obj | undefined)?.['code'];
        if (error['type'] !== 'error' || code !== 'UNKNOWN_COLLECTION')
          fail(
            'pulling an unknown collection over /v1/ws',
            '{ type: "error", requestId: "bad", body: { error: { code: "UNKNOWN_COLLECTION" } } }',
            JSON.stringify(error),
            ws.exchange,
          );
        ws.send({
          type: 'pull',
          requestId: 'good',
          body: { collection: ctx.col, checkpoint: null, windowSize: 1 },
        });
        const ok = await answerTo(ctx, ws, 'good', 'pulling after a refused request');
        if (ok['type'] !== 'result')
          fail(
            'pulling after a refused request on the same session',
            'a result (the session goes on)',
            JSON.stringify(ok).slice(0, 300),
            ws.exchange,
          );
      } finally {
        ws.close();
      }
    },
  }),

  check({
    id: 'websocket.session-errors',
    group: 'websocket',
    title:
      '/v1/ws ends a session with an error and close code 4400 (anything before hello, bad JSON), 4401 (bad token), 4426 (schema version refused)',
    doc: '#v1ws-websocket',
    needs: ['websocket'],
    async run(ctx) {
      const early = await session(ctx, null);
      early.send({
        type: 'pull',
        requestId: 'r1',
        body: { collection: 'x', checkpoint: null, windowSize: 1 },
      });
      await endsWith(ctx, early, WS_CLOSE_CODES.badMessage, 'pulling before hello');
      const garbled = await session(ctx, null);
      garbled.send('{ not json');
      await endsWith(ctx, garbled, WS_CLOSE_CODES.badMessage, 'sending a message that is not JSON');
      const stranger = await session(ctx, { token: `cf-not-a-token-${ctx.setup.runId}` }, false);
      await endsWith(ctx, stranger, WS_CLOSE_CODES.unauthorized, 'saying hello with an unknown token');
      const { min, max } = ctx.caps.schemaVersions;
      const refused = min > 1 ? min - 1 : Number.isSafeInteger(max + 1) ? max + 1 : undefined;
      if (refused !== undefined) {
        const old = await session(ctx, { schemaVersion: refused }, false);
        await endsWith(
          ctx,
          old,
          WS_CLOSE_CODES.upgradeRequired,
          `saying hello as schema version ${refused} (accepted: ${min}..${max})`,
        );
      } else {
        ctx.note('every schema version from 1 is accepted: close code 4426 not checked');
      }
    },
  }),

  check({
    id: 'websocket.token-in-query',
    group: 'websocket',
    title: '/v1/ws accepts the token as a query parameter when hello carries none',
    doc: '#v1ws-websocket',
    needs: ['websocket'],
    async run(ctx) {
      const ws = await WsSession.open(ctx.setup.WebSocket!, ctx.wire, {
        [PROTOCOL_QUERY.token]: ctx.setup.users[0]!.token,
      });
      try {
        ws.send({ type: 'hello', schemaVersion: ctx.setup.schemaVersion });
        const answer = obj(await ws.next((m) => obj(m)?.['type'] !== 'heartbeat', ctx.setup.maxWaitMs));
        if (answer?.['type'] !== 'hello')
          fail(
            'saying hello without token after connecting with ?token=',
            '{ type: "hello", … }',
            answer === undefined ? 'no answer' : JSON.stringify(answer),
            ws.exchange,
          );
      } finally {
        ws.close();
      }
    },
  }),

  check({
    id: 'websocket.heartbeat',
    group: 'websocket',
    title: 'an open session gets a heartbeat every heartbeatMs',
    doc: '#v1ws-websocket',
    needs: ['websocket'],
    async run(ctx) {
      const every = ctx.caps.heartbeatMs;
      if (every * 2 > ctx.setup.maxWaitMs)
        skip(`heartbeatMs is ${every}: waiting twice that is above maxWaitMs (${ctx.setup.maxWaitMs})`);
      const ws = await session(ctx, {});
      try {
        const beat = obj(await ws.next((m) => obj(m)?.['type'] === 'heartbeat', every * 2 + 500));
        if (beat === undefined || typeof beat['at'] !== 'number')
          fail(
            'keeping a session open',
            `{ type: "heartbeat", at } within ${every * 2 + 500} ms`,
            'none',
            ws.exchange,
          );
      } finally {
        ws.close();
      }
    },
  }),
];
