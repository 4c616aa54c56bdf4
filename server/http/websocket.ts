import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { WS_CLOSE_CODES, type WsServerMessage, wsClientMessageSchema } from '../../src/protocol/messages.js';
import { PROTOCOL_PATHS, PROTOCOL_QUERY, PROTOCOL_VERSION } from '../../src/protocol/version.js';
import { bearerToken } from '../auth/tokens.js';
import type { AuthUser } from '../config.js';
import { checkClientSchema } from '../sync/client-schema.js';
import { ProtocolError } from '../sync/protocol-error.js';
import { pull } from '../sync/pull.js';
import { push } from '../sync/push.js';
import type { Runtime } from '../sync/runtime.js';
import { newStats, timedDatabase } from '../sync/stats.js';
import { knownError } from './known-error.js';
import { summaryEntry } from './request-log.js';
import type { SessionHandle } from './sessions.js';
import { visibleTo } from './sse.js';
import { authenticate, limitMutations, parseBody } from './sync-gate.js';

/**
 * `/v1/ws` (at `path`): after the client's `hello` (token in it, in the upgrade's `Authorization` header, or in
 * the `token` query parameter), the session gets `poke`s and may send `pull` and `push` requests,
 * each answered by a `result` or an `error` with the same `requestId`. Requests run one at a time
 * per session, in the order received.
 */
export function attachWebSocket(
  server: Server,
  runtime: Runtime,
  path: string = PROTOCOL_PATHS.ws,
): { stopAccepting(): void; closeAll(): void; readonly size: number } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: runtime.options.maxBodyBytes });
  let accepting = true;
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== path) {
      // Another listener (the app's own WebSocket endpoints) may want it; refuse only when alone.
      if (server.listenerCount('upgrade') === 1) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      }
      return;
    }
    if (!accepting) {
      // Shutting down: the client reconnects, to another instance.
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      session(
        runtime,
        ws,
        bearerToken(request.headers.authorization) ?? url.searchParams.get(PROTOCOL_QUERY.token) ?? undefined,
      );
    });
  };
  server.on('upgrade', onUpgrade);
  return {
    stopAccepting() {
      accepting = false;
    },
    closeAll() {
      server.off('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.close(WS_CLOSE_CODES.goingAway, 'server closing');
      wss.close();
    },
    get size() {
      return wss.clients.size;
    },
  };
}

function session(runtime: Runtime, ws: WebSocket, upgradeToken: string | undefined): void {
  let user: AuthUser | undefined;
  /** The session's token, kept to rate-limit its requests. */
  let token: string | undefined;
  /** The schema version announced in hello; every later request is checked against it. */
  let schemaVersion = 0;
  let unsubscribe: (() => void) | undefined;
  let queue = Promise.resolve();
  const send = (message: WsServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const fail = (closeCode: number, error: ProtocolError) => {
    send({ type: 'error', body: error.toBody() });
    ws.close(closeCode, error.code);
  };
  const heartbeat = setInterval(() => {
    if (user !== undefined) send({ type: 'heartbeat', at: Date.now() });
  }, runtime.options.heartbeatMs);
  // An unauthenticated socket holds resources: it gets `helloTimeoutMs` to say hello.
  const helloDeadline = setTimeout(() => {
    if (user === undefined) {
      fail(
        WS_CLOSE_CODES.badMessage,
        new ProtocolError('UNAUTHORIZED', `No hello within ${runtime.options.helloTimeoutMs} ms`),
      );
    }
  }, runtime.options.helloTimeoutMs);
  let live: SessionHandle | undefined;
  ws.on('close', () => {
    clearInterval(heartbeat);
    clearTimeout(helloDeadline);
    unsubscribe?.();
    live?.release();
  });
  ws.on('error', () => ws.terminate());

  const handle = async (raw: string) => {
    let message: ReturnType<typeof wsClientMessageSchema.parse>;
    let pushRequestId: string | undefined;
    try {
      message = parseBody(wsClientMessageSchema, raw, (json) => {
        const m = json as { type?: unknown; requestId?: unknown; body?: unknown } | null;
        if (m?.type !== 'push') return;
        if (typeof m.requestId === 'string') pushRequestId = m.requestId;
        limitMutations(runtime.options.maxMutationsPerPush)(m.body);
      });
    } catch (error) {
      // Too many mutations answers that request; the session goes on.
      if (
        error instanceof ProtocolError &&
        error.code === 'PAYLOAD_TOO_LARGE' &&
        pushRequestId !== undefined
      ) {
        send({ type: 'error', requestId: pushRequestId, body: error.toBody() });
        return;
      }
      if (error instanceof ProtocolError) return fail(WS_CLOSE_CODES.badMessage, error);
      throw error;
    }
    if (message.type === 'hello') {
      if (user !== undefined)
        return fail(WS_CLOSE_CODES.badMessage, new ProtocolError('INVALID_REQUEST', 'hello sent twice'));
      try {
        await runtime.requireServableSchema();
        token = message.token ?? upgradeToken;
        const authed = await authenticate(runtime, token);
        checkClientSchema(runtime.options.schemaVersions, message.schemaVersion, 'read');
        live = runtime.sessions.open(authed, token!);
        user = authed;
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
        const code =
          error.code === 'UNAUTHORIZED'
            ? WS_CLOSE_CODES.unauthorized
            : error.code === 'SERVER_SCHEMA_OUTDATED'
              ? WS_CLOSE_CODES.serverUnavailable
              : error.code === 'TOO_MANY_CONNECTIONS'
                ? WS_CLOSE_CODES.tooManyConnections
                : WS_CLOSE_CODES.upgradeRequired;
        return fail(code, error);
      }
      clearTimeout(helloDeadline);
      live.onEnd((why) =>
        why === 'revoked'
          ? fail(
              WS_CLOSE_CODES.unauthorized,
              new ProtocolError('UNAUTHORIZED', 'The token is no longer valid'),
            )
          : ws.close(WS_CLOSE_CODES.sessionExpired, 'SESSION_EXPIRED'),
      );
      const me = user;
      unsubscribe = runtime.bus.subscribe((event) => {
        if (visibleTo(runtime, me, event))
          send({ type: 'poke', collection: event.collection, seq: event.seq });
      });
      schemaVersion = message.schemaVersion;
      send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, heartbeatMs: runtime.options.heartbeatMs });
      return;
    }
    if (user === undefined) {
      return fail(WS_CLOSE_CODES.badMessage, new ProtocolError('UNAUTHORIZED', 'Send hello first'));
    }
    const started = performance.now();
    const leave = runtime.lifecycle.enter();
    const stats = newStats();
    let status = 200;
    let code: string | undefined;
    try {
      runtime.rateLimiter?.take(token);
      const meta = await runtime.requireServableSchema();
      checkClientSchema(
        runtime.options.schemaVersions,
        schemaVersion,
        message.type === 'push' ? 'write' : 'read',
      );
      const db = timedDatabase(runtime.db, stats);
      const body =
        message.type === 'pull'
          ? await pull(runtime, db, meta, user, message.body, stats)
          : await push(runtime, db, user, message.body, stats);
      send({ type: 'result', requestId: message.requestId, body });
    } catch (error) {
      const protocolError = knownError(runtime, error, {
        requestId: message.requestId,
        what: `WS ${PROTOCOL_PATHS.ws}#${message.type}`,
      });
      status = protocolError.status;
      code = protocolError.code;
      send({ type: 'error', requestId: message.requestId, body: protocolError.toBody() });
    } finally {
      leave();
    }
    runtime.log(
      summaryEntry({
        method: 'WS',
        path: `${PROTOCOL_PATHS.ws}#${message.type}`,
        status,
        code,
        userId: user.userId,
        collection:
          message.type === 'pull'
            ? message.body.collection
            : [...new Set(message.body.mutations.map((m) => m.collection))].join(',') || undefined,
        requestId: message.requestId,
        stats,
        totalMs: performance.now() - started,
      }),
    );
  };

  ws.on('message', (data, isBinary) => {
    const raw = isBinary ? '' : data.toString();
    queue = queue
      .then(() => handle(raw))
      .catch((error: Error) => {
        runtime.log({ level: 'error', msg: `ws session failed: ${error.message}`, event: 'error' });
        ws.close(1011, 'INTERNAL_ERROR');
      });
  });
}
