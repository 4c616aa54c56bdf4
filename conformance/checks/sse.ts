import { PROTOCOL_QUERY } from '../../src/protocol/version.js';
import { check, fail, skip } from '../check.js';
import type { CheckContext } from '../context.js';
import { EventStream } from '../event-stream.js';
import { expectError } from '../expect.js';
import type { ProtocolClient } from '../protocol-client.js';
import { codeSuffix } from '../protocol-client.js';

/** Opens a stream that must start: 200 event-stream with the protocol header, `hello` first. */
async function started(
  ctx: CheckContext,
  client: ProtocolClient,
  query?: Record<string, string>,
): Promise<EventStream> {
  const stream = await EventStream.open(client, query);
  const what = `opening /v1/events${query === undefined ? ' with headers' : ' with token and schemaVersion query parameters'}`;
  if (stream.status !== 200)
    fail(what, '200 text/event-stream', `${stream.status}${codeSuffix(stream)}`, stream.exchange);
  if (!(stream.headers.get('content-type') ?? '').includes('text/event-stream')) {
    fail(
      what,
      'Content-Type: text/event-stream',
      `Content-Type: ${stream.headers.get('content-type')}`,
      stream.exchange,
    );
  }
  const hello = await stream.next(() => true, ctx.setup.maxWaitMs);
  const data = hello?.data as { protocolVersion?: unknown; heartbeatMs?: unknown } | undefined;
  if (hello?.event !== 'hello' || data?.protocolVersion !== 1 || typeof data.heartbeatMs !== 'number') {
    await stream.close();
    fail(
      what,
      'a first event "hello" with { protocolVersion: 1, heartbeatMs }',
      hello === undefined ? 'no event' : `event "${hello.event}" ${JSON.stringify(hello.data)}`,
      stream.exchange,
    );
  }
  return stream;
}

const isPoke = (collection: string) => (e: { event: string; data: unknown }) =>
  e.event === 'poke' && (e.data as { collection?: unknown }).collection === collection;

export const sseChecks = [
  check({
    id: 'sse.pokes',
    group: 'sse',
    title:
      'GET /v1/events says hello first, then pokes after each committed change: a pull right after a poke sees it',
    doc: '#get-v1events-server-sent-events',
    needs: ['writable', 'sse'],
    async run(ctx) {
      const stream = await started(ctx, ctx.alice);
      try {
        let seen = stream.events.length;
        let lastSeq = -1;
        for (let n = 1; n <= 2; n++) {
          const before = await ctx.head();
          const w = ctx.writer();
          const x = ctx.id();
          await w.create([[x, ctx.value()]], `pushing change ${n} from another client`);
          const poke = await stream.next(isPoke(ctx.col), ctx.setup.maxWaitMs, seen);
          if (poke === undefined)
            fail(
              `waiting for a poke after change ${n}`,
              `a poke for ${ctx.col} within ${ctx.setup.maxWaitMs} ms`,
              'none',
              stream.exchange,
            );
          seen = stream.events.indexOf(poke) + 1;
          const seq = (poke.data as { seq?: unknown }).seq;
          if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0 || seq <= lastSeq) {
            fail(
              `reading poke ${n}`,
              `seq a non-negative integer above the previous poke's (${lastSeq})`,
              `seq ${JSON.stringify(seq)}`,
              stream.exchange,
            );
          }
          lastSeq = seq;
          const { changes, exchanges } = await ctx.changesSince(before, 'pulling right after the poke');
          if (!changes.some((c) => c.id === x))
            fail(
              `pulling right after poke ${n}`,
              `the change that was poked (${x})`,
              'a page without it: the poke came before the commit',
              stream.exchange,
              ...exchanges,
            );
        }
      } finally {
        await stream.close();
      }
    },
  }),

  check({
    id: 'sse.query-parameters',
    group: 'sse',
    title: 'GET /v1/events accepts the token and schema version as query parameters (for EventSource)',
    doc: '#get-v1events-server-sent-events',
    needs: ['sse'],
    async run(ctx) {
      const user = ctx.setup.users[0]!;
      const stream = await started(ctx, ctx.alice, {
        [PROTOCOL_QUERY.token]: user.token,
        [PROTOCOL_QUERY.schemaVersion]: String(ctx.setup.schemaVersion),
      });
      await stream.close();
    },
  }),

  check({
    id: 'sse.only-own-changes',
    group: 'sse',
    title: "a user is not poked for another user's changes to a per-user collection",
    doc: '#change-notification',
    needs: ['writable', 'userScoped', 'secondUser', 'sse'],
    async run(ctx) {
      const stream = await started(ctx, ctx.alice);
      try {
        const from = stream.events.length;
        await ctx.writer(ctx.bob).create([[ctx.id(), ctx.value()]], 'pushing as user 2');
        await ctx.writer().create([[ctx.id(), ctx.value()]], 'then pushing as user 1');
        const mine = await stream.next(isPoke(ctx.col), ctx.setup.maxWaitMs, from);
        if (mine === undefined)
          fail("waiting for user 1's poke", `a poke for ${ctx.col}`, 'none', stream.exchange);
        // Give a stray poke a moment to show up.
        const extra = await stream.next(
          isPoke(ctx.col),
          Math.min(300, ctx.setup.maxWaitMs),
          stream.events.indexOf(mine) + 1,
        );
        const pokes = stream.events.slice(from).filter(isPoke(ctx.col));
        if (extra !== undefined || pokes.length !== 1) {
          fail(
            'listening as user 1 while user 2 and then user 1 push',
            "exactly one poke (for user 1's own change)",
            `${pokes.length} pokes: ${JSON.stringify(pokes.map((p) => p.data))}`,
            stream.exchange,
          );
        }
      } finally {
        await stream.close();
      }
    },
  }),

  check({
    id: 'sse.server-side-write',
    group: 'sse',
    title: 'a change made on the server pokes the streams of the users who can see it',
    doc: '#change-notification',
    needs: ['writable', 'serverWrites', 'sse'],
    async run(ctx) {
      const userId = ctx.setup.users[0]!.userId;
      if (ctx.writableInfo?.scope === 'user' && userId === undefined)
        skip('the user id of user 1 is unknown (pass users as { token, userId })');
      const stream = await started(ctx, ctx.alice);
      try {
        const from = stream.events.length;
        await ctx.setup.hooks.putRecord!({
          collection: ctx.col,
          id: ctx.id(),
          value: ctx.value({ by: 'server' }),
          ...(ctx.writableInfo?.scope === 'user' ? { userId: userId! } : {}),
        });
        const poke = await stream.next(isPoke(ctx.col), ctx.setup.maxWaitMs, from);
        if (poke === undefined)
          fail(
            'waiting for a poke after a server-side edit',
            `a poke for ${ctx.col} within ${ctx.setup.maxWaitMs} ms`,
            'none',
            stream.exchange,
          );
      } finally {
        await stream.close();
      }
    },
  }),

  check({
    id: 'sse.heartbeat',
    group: 'sse',
    title: 'an open stream gets a heartbeat every heartbeatMs',
    doc: '#get-v1events-server-sent-events',
    needs: ['sse'],
    async run(ctx) {
      const every = ctx.caps.heartbeatMs;
      if (every * 2 > ctx.setup.maxWaitMs)
        skip(`heartbeatMs is ${every}: waiting twice that is above maxWaitMs (${ctx.setup.maxWaitMs})`);
      const stream = await started(ctx, ctx.alice);
      try {
        const beat = await stream.next((e) => e.event === 'heartbeat', every * 2 + 500);
        if (beat === undefined || typeof (beat.data as { at?: unknown }).at !== 'number') {
          fail(
            'keeping a stream open',
            `an event "heartbeat" with { at } within ${every * 2 + 500} ms`,
            beat === undefined ? 'none' : JSON.stringify(beat.data),
            stream.exchange,
          );
        }
      } finally {
        await stream.close();
      }
    },
  }),

  check({
    id: 'sse.refusals',
    group: 'sse',
    title:
      'GET /v1/events refuses like a pull before the stream starts (schema version missing, too old or too new)',
    doc: '#get-v1events-server-sent-events',
    needs: ['sse'],
    async run(ctx) {
      const open = async (client: ProtocolClient, code: Parameters<typeof expectError>[1], what: string) => {
        const stream = await EventStream.open(client);
        await stream.close();
        expectError(stream, code, what);
      };
      await open(
        ctx.alice.withSchemaVersion(undefined),
        'MISSING_SCHEMA_VERSION',
        'opening /v1/events without a schema version',
      );
      const { min, max } = ctx.caps.schemaVersions;
      if (min > 1)
        await open(
          ctx.alice.withSchemaVersion(min - 1),
          'UPGRADE_REQUIRED',
          `opening /v1/events as schema version ${min - 1} (min ${min})`,
        );
      if (Number.isSafeInteger(max + 1))
        await open(
          ctx.alice.withSchemaVersion(max + 1),
          'SCHEMA_VERSION_TOO_NEW',
          `opening /v1/events as schema version ${max + 1} (max ${max})`,
        );
    },
  }),
];
