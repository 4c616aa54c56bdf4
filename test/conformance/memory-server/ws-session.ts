import type { WebSocket } from 'ws';
import { errorBody } from '../../../src/protocol/error-codes.js';
import { WS_CLOSE_CODES, wsClientMessageSchema } from '../../../src/protocol/messages.js';
import { type Committed, Refusal } from './memory-store.js';
import { authenticate, checkSchema, parse, type ServerContext } from './request-rules.js';

/** One `/v1/ws` session: hello first, then pulls and pushes in order, pokes for the user's changes. */
export function wsSession(
  ctx: ServerContext,
  socket: WebSocket,
  upgradeToken: string | null | undefined,
): void {
  let userId: string | undefined;
  let schemaVersion = 0;
  let queue = Promise.resolve();
  const send = (message: unknown) =>
    socket.readyState === socket.OPEN && socket.send(JSON.stringify(message));
  const end = (code: number, error: Refusal) => {
    send({ type: 'error', body: errorBody(error.code as never, error.message) });
    socket.close(code, error.code);
  };
  const onCommit = (e: Committed) => {
    if (!ctx.hears(e)) return;
    const config = ctx.store.collections.find((c) => c.name === e.collection);
    if (userId !== undefined && config !== undefined && e.owner === ctx.store.owner(config, userId)) {
      send({ type: 'poke', collection: e.collection, seq: e.seq });
    }
  };
  const beat = setInterval(
    () => userId !== undefined && send({ type: 'heartbeat', at: Date.now() }),
    ctx.heartbeatMs,
  );
  socket.on('close', () => {
    clearInterval(beat);
    ctx.bus.off('commit', onCommit);
  });

  const handle = async (text: string) => {
    let message: ReturnType<typeof wsClientMessageSchema.parse>;
    try {
      message = parse(wsClientMessageSchema, text);
    } catch (error) {
      return end(WS_CLOSE_CODES.badMessage, error as Refusal);
    }
    if (message.type === 'hello') {
      if (userId !== undefined)
        return end(WS_CLOSE_CODES.badMessage, new Refusal('INVALID_REQUEST', 'hello twice'));
      try {
        const who = authenticate(ctx, message.token ?? upgradeToken);
        checkSchema(ctx, message.schemaVersion, 'read');
        userId = who;
      } catch (error) {
        const refusal = error as Refusal;
        return end(
          refusal.code === 'UNAUTHORIZED' ? WS_CLOSE_CODES.unauthorized : WS_CLOSE_CODES.upgradeRequired,
          refusal,
        );
      }
      schemaVersion = message.schemaVersion;
      ctx.bus.on('commit', onCommit);
      send({ type: 'hello', protocolVersion: 1, heartbeatMs: ctx.heartbeatMs });
      return;
    }
    if (userId === undefined)
      return end(WS_CLOSE_CODES.badMessage, new Refusal('UNAUTHORIZED', 'Send hello first'));
    try {
      checkSchema(ctx, schemaVersion, message.type === 'push' ? 'write' : 'read');
      const body =
        message.type === 'pull'
          ? await ctx.store.pull(userId, message.body)
          : {
              protocolVersion: 1,
              results: await ctx.store.push(
                userId,
                message.body.clientId,
                message.body.mutations,
                ctx.origin,
              ),
            };
      send({ type: 'result', requestId: message.requestId, body });
    } catch (error) {
      const refusal = error instanceof Refusal ? error : new Refusal('INTERNAL_ERROR', 'Internal error');
      send({
        type: 'error',
        requestId: message.requestId,
        body: errorBody(refusal.code as never, refusal.message),
      });
    }
  };
  socket.on('message', (data, isBinary) => {
    const text = isBinary ? '' : data.toString();
    queue = queue.then(() => handle(text));
  });
}
