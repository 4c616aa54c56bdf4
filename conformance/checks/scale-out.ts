import type { Change } from '../../src/protocol/messages.js';
import { check, fail } from '../check.js';
import { apply, describeResult, expectApplied } from '../context.js';
import { EventStream } from '../event-stream.js';
import { codeSuffix } from '../protocol-client.js';
import { expectSameState } from '../same-state.js';
import { WsSession } from '../ws-session.js';

export const scaleOutChecks = [
  check({
    id: 'scale-out.checkpoints',
    group: 'scale-out',
    title:
      'a checkpoint issued by one instance is served by another: a full sync may hop between instances page by page',
    doc: '#checkpoints',
    needs: ['writable', 'peer'],
    async run(ctx) {
      const w = ctx.writer();
      await w.create(
        Array.from({ length: 6 }, () => [ctx.id(), ctx.value({ cfCheck: 'hop' })]),
        'creating six records',
      );
      const filter = { ...ctx.runFilter, cfCheck: 'hop' };
      const clients = [ctx.alice, ctx.alicePeer];
      const state = new Map<string, Change>();
      let checkpoint: string | null = null;
      for (let n = 0; n < 100; n++) {
        const { page } = await clients[n % 2]!.pullOk(
          { collection: ctx.col, checkpoint, windowSize: 2, filter },
          `pulling page ${n + 1} on instance ${(n % 2) + 1} with the previous instance's checkpoint`,
        );
        for (const change of page.changes) apply(state, change);
        checkpoint = page.checkpoint;
        if (!page.moreAvailable) break;
      }
      const pw = ctx.writer(ctx.alicePeer);
      const edit = await pw.push(
        [pw.put(ctx.id(), ctx.value({ cfCheck: 'hop' }), null)],
        'writing through the other instance',
      );
      expectApplied(edit.results[0]!, 'writing through the other instance', edit.answer.exchange);
      const rest = await ctx.changesSince(
        checkpoint!,
        "pulling on the first instance from the other's checkpoint",
        ctx.alice,
        ctx.col,
        filter,
      );
      for (const change of rest.changes) apply(state, change);
      const truth = await ctx.snapshot('reading a fresh snapshot', ctx.alicePeer, ctx.col, filter);
      expectSameState(
        'comparing a sync that hopped between instances with a fresh snapshot',
        state,
        truth.state,
      );
    },
  }),

  check({
    id: 'scale-out.exactly-once',
    group: 'scale-out',
    title: 'a push retried on another instance is answered with the stored results and applies nothing again',
    doc: '#exactly-once',
    needs: ['writable', 'peer'],
    async run(ctx) {
      const w = ctx.writer();
      const x = ctx.id();
      const [rev] = await w.create([[x, ctx.value({ v: 1 })]], 'creating a record');
      const first = await w.push([w.put(x, ctx.value({ v: 2 }), rev!)], 'updating it on the first instance');
      const applied = expectApplied(
        first.results[0]!,
        'updating it on the first instance',
        first.answer.exchange,
      );
      const after = await ctx.head();
      const again = await ctx.alicePeer.pushOk(first.request, 'retrying the same push on the other instance');
      const r = again.results[0]!;
      if (r.status !== 'applied' || r.rev !== applied) {
        fail(
          'retrying on the other instance a push the first one applied',
          `the stored result: applied with rev "${applied}"`,
          describeResult(r),
          first.answer.exchange,
          again.answer.exchange,
        );
      }
      await ctx.expectNothingChanged(after, 'the retry on the other instance', again.answer.exchange);
    },
  }),

  check({
    id: 'scale-out.pokes',
    group: 'scale-out',
    title: 'a change written through one instance pokes the streams open on another (SSE and WebSocket)',
    doc: '#change-notification',
    needs: ['writable', 'peer'],
    async run(ctx) {
      const timeout = ctx.setup.maxWaitMs;
      const transports = ctx.caps.transports;
      const stream = transports.includes('sse') ? await EventStream.open(ctx.alicePeer) : undefined;
      const peerWire = ctx.setup.peers[0]!;
      const ws =
        transports.includes('websocket') && ctx.setup.WebSocket !== undefined
          ? await WsSession.open(ctx.setup.WebSocket, peerWire)
          : undefined;
      try {
        if (stream !== undefined && stream.status !== 200) {
          fail(
            'opening /v1/events on the other instance',
            '200 text/event-stream',
            `${stream.status}${codeSuffix(stream)}`,
            stream.exchange,
          );
        }
        await stream?.next((e) => e.event === 'hello', timeout);
        ws?.send({ type: 'hello', token: ctx.setup.users[0]!.token, schemaVersion: ctx.setup.schemaVersion });
        await ws?.next((m) => typeof m === 'object' && m['type'] === 'hello', timeout);
        const before = await ctx.head(ctx.alicePeer);
        const x = ctx.id();
        await ctx.writer().create([[x, ctx.value()]], 'pushing through the first instance');
        if (stream !== undefined) {
          const poke = await stream.next(
            (e) => e.event === 'poke' && (e.data as { collection?: unknown }).collection === ctx.col,
            timeout,
          );
          if (poke === undefined)
            fail(
              "waiting on the other instance's event stream",
              `a poke for ${ctx.col} within ${timeout} ms`,
              'none (pokes seem to stay on the instance that wrote)',
              stream.exchange,
            );
        }
        if (ws !== undefined) {
          const poke = await ws.next(
            (m) => typeof m === 'object' && m['type'] === 'poke' && m['collection'] === ctx.col,
            timeout,
          );
          if (poke === undefined)
            fail(
              "waiting on the other instance's WebSocket session",
              `a poke for ${ctx.col} within ${timeout} ms`,
              'none (pokes seem to stay on the instance that wrote)',
              ws.exchange,
            );
        }
        const { changes, exchanges } = await ctx.changesSince(
          before,
          'pulling on the other instance right after its poke',
          ctx.alicePeer,
        );
        if (!changes.some((c) => c.id === x))
          fail(
            'pulling on the other instance after its poke',
            `the poked change (${x})`,
            'a page without it',
            ...exchanges,
          );
      } finally {
        await stream?.close();
        ws?.close();
      }
    },
  }),
];
