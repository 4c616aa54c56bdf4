import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { ERROR_CODES, type ErrorCode, errorBody } from '../../../src/protocol/error-codes.js';
import {
  type CollectionInfo,
  pullRequestSchema,
  pushRequestSchema,
  type RecordValue,
  recordValueSchema,
} from '../../../src/protocol/messages.js';
import type { Fault } from './faults.js';
import { type Committed, MemoryStore, Refusal } from './memory-store.js';
import { authenticate, checkSchema, parse, type ServerContext } from './request-rules.js';
import { wsSession } from './ws-session.js';

export interface MemoryServerOptions {
  faults?: readonly Fault[];
  collections?: readonly CollectionInfo[];
  schemaVersions?: { min: number; minWritable: number; max: number };
  maxWindowSize?: number;
  maxMutationsPerPush?: number;
  maxBodyBytes?: number;
  maxValueBytes?: number;
  maxValueDepth?: number;
  maxPageBytes?: number;
  heartbeatMs?: number;
  /**
   * Another instance whose store, users and change notifications this one shares: several
   * instances of one deployment. Its limits and collections apply; `faults` of this instance
   * only change how it pokes (`local-pokes`).
   */
  shareWith?: MemoryServer;
  /** Enables `/admin` (users, records, compaction) like the reference server's. */
  adminToken?: string;
}

export interface MemoryServer {
  url: string;
  store: MemoryStore;
  /** What a second instance shares with this one (`shareWith`). */
  shared: { store: MemoryStore; tokens: Map<string, string>; bus: EventEmitter };
  /** Creates a user and returns its token (`token`, else a random one). */
  createUser(userId: string, token?: string): { userId: string; token: string };
  revokeTokens(userId: string): void;
  close(): Promise<void>;
}

/**
 * A second, independent implementation of docs/protocol.md, in memory, on `node:http` and `ws`,
 * with switchable faults: the conformance kit must pass it without faults and fail it with each.
 */
export async function startMemoryServer(options: MemoryServerOptions = {}): Promise<MemoryServer> {
  const collections = options.collections ?? [
    { name: 'notes', scope: 'user', readOnly: false },
    { name: 'tags', scope: 'user', readOnly: false },
    { name: 'catalog', scope: 'shared', readOnly: true },
  ];
  const maxWindowSize = options.maxWindowSize ?? 100;
  const limits = {
    maxWindowSize,
    maxValueBytes: options.maxValueBytes ?? 64 * 1024,
    maxValueDepth: options.maxValueDepth ?? 32,
    maxPageBytes: options.maxPageBytes ?? 64 * 1024,
  };
  const bus = options.shareWith?.shared.bus ?? new EventEmitter().setMaxListeners(0);
  const store =
    options.shareWith?.shared.store ??
    new MemoryStore(collections, new Set(options.faults ?? []), limits, (e: Committed) =>
      bus.emit('commit', e),
    );
  const origin = randomBytes(4).toString('hex');
  const localPokes = options.faults?.includes('local-pokes') ?? false;
  const ctx: ServerContext = {
    store,
    tokens: options.shareWith?.shared.tokens ?? new Map(),
    bus,
    origin,
    hears: (e: Committed) => !localPokes || e.origin === origin,
    schemaVersions: options.schemaVersions ?? { min: 1, minWritable: 1, max: 10 },
    heartbeatMs: options.heartbeatMs ?? 1000,
    maxBodyBytes: options.maxBodyBytes ?? 256 * 1024,
    maxMutationsPerPush: options.maxMutationsPerPush ?? 100,
  };
  const streams = new Set<ServerResponse>();

  const send = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-sync-protocol': '1',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  };
  const refuse = (res: ServerResponse, error: unknown) => {
    if (!(error instanceof Refusal)) {
      send(res, 500, errorBody('INTERNAL_ERROR', 'Internal error'));
      return;
    }
    const code = error.code as ErrorCode;
    const details = (error as Refusal & { details?: Record<string, unknown> }).details;
    send(res, ERROR_CODES[code].status, errorBody(code, error.message, details));
  };
  const bearer = (req: IncomingMessage) => /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];

  const readBody = async (req: IncomingMessage): Promise<string> => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size <= ctx.maxBodyBytes) chunks.push(chunk as Buffer);
    }
    if (size > ctx.maxBodyBytes) throw new Refusal('PAYLOAD_TOO_LARGE', 'Body too large');
    return Buffer.concat(chunks).toString('utf8');
  };

  const routes: Record<
    string,
    Record<string, (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>>
  > = {
    '/v1/capabilities': {
      GET: async (req, res, url) => {
        const raw = req.headers['x-schema-version'] ?? url.searchParams.get('schemaVersion') ?? undefined;
        const v = Number(raw);
        const { min, minWritable, max } = ctx.schemaVersions;
        const client =
          raw !== undefined && Number.isSafeInteger(v)
            ? {
                client: {
                  schemaVersion: v,
                  access: v < min || v > max ? 'none' : v < minWritable ? 'read-only' : 'read-write',
                },
              }
            : {};
        send(res, 200, {
          protocolVersion: 1,
          transports: ['poll', 'sse', 'websocket'],
          maxWindowSize,
          maxMutationsPerPush: ctx.maxMutationsPerPush,
          maxBodyBytes: ctx.maxBodyBytes,
          schemaVersions: ctx.schemaVersions,
          collections,
          tombstoneRetentionMs: 86_400_000,
          heartbeatMs: ctx.heartbeatMs,
          maxValueBytes: limits.maxValueBytes,
          maxValueDepth: limits.maxValueDepth,
          maxPageBytes: limits.maxPageBytes,
          ...client,
        });
      },
    },
    '/v1/pull': {
      POST: async (req, res) => {
        const text = await readBody(req);
        const userId = authenticate(ctx, bearer(req));
        checkSchema(ctx, req.headers['x-schema-version'], 'read');
        send(res, 200, await store.pull(userId, parse(pullRequestSchema, text)));
      },
    },
    '/v1/push': {
      POST: async (req, res) => {
        const text = await readBody(req);
        const userId = authenticate(ctx, bearer(req));
        checkSchema(ctx, req.headers['x-schema-version'], 'write');
        const raw = (() => {
          try {
            return JSON.parse(text) as { mutations?: unknown };
          } catch {
            return undefined;
          }
        })();
        if (Array.isArray(raw?.mutations) && raw.mutations.length > ctx.maxMutationsPerPush)
          throw new Refusal('PAYLOAD_TOO_LARGE', 'Too many mutations');
        const body = parse(pushRequestSchema, text);
        send(res, 200, {
          protocolVersion: 1,
          results: await store.push(userId, body.clientId, body.mutations, origin),
        });
      },
    },
    '/v1/events': {
      GET: async (req, res, url) => {
        const userId = authenticate(ctx, bearer(req) ?? url.searchParams.get('token'));
        checkSchema(ctx, req.headers['x-schema-version'] ?? url.searchParams.get('schemaVersion'), 'read');
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
          'x-sync-protocol': '1',
        });
        const event = (name: string, data: unknown) =>
          res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
        event('hello', { protocolVersion: 1, heartbeatMs: ctx.heartbeatMs });
        const onCommit = (e: Committed) => {
          if (!ctx.hears(e)) return;
          const config = store.collections.find((c) => c.name === e.collection);
          if (config !== undefined && e.owner === store.owner(config, userId))
            event('poke', { collection: e.collection, seq: e.seq });
        };
        bus.on('commit', onCommit);
        const beat = setInterval(() => event('heartbeat', { at: Date.now() }), ctx.heartbeatMs);
        streams.add(res);
        res.on('close', () => {
          clearInterval(beat);
          bus.off('commit', onCommit);
          streams.delete(res);
        });
      },
    },
  };

  const admin = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    if (options.adminToken === undefined || bearer(req) !== options.adminToken)
      throw new Refusal('FORBIDDEN', 'Admin token required');
    const text = await readBody(req);
    const body =
      text === '' ? {} : (JSON.parse(text) as { userId?: string; value?: RecordValue; owner?: string });
    const record = /^\/admin\/records\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'POST' && url.pathname === '/admin/users')
      return send(res, 200, server.createUser(body.userId!));
    if (req.method === 'POST' && url.pathname === '/admin/compact')
      return send(res, 200, { removed: store.purgeTombstones() });
    if (record !== null) {
      const config = store.collection(decodeURIComponent(record[1]!));
      const owner = config.scope === 'user' ? (body.owner ?? url.searchParams.get('owner') ?? '') : '';
      const value = req.method === 'PUT' ? recordValueSchema.parse(body.value) : null;
      return send(res, 200, {
        rev: String(
          await store.serverWrite(config.name, decodeURIComponent(record[2]!), value, owner, origin),
        ),
      });
    }
    throw new Refusal('NOT_FOUND', 'No such endpoint');
  };

  const http = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const handle = async () => {
      if (url.pathname.startsWith('/admin/')) return admin(req, res, url);
      const route = routes[url.pathname];
      if (route === undefined) throw new Refusal('NOT_FOUND', 'No such endpoint');
      const handler = route[req.method ?? ''];
      if (handler === undefined) throw new Refusal('METHOD_NOT_ALLOWED', 'Method not allowed');
      return handler(req, res, url);
    };
    handle().catch((error: unknown) => {
      req.resume();
      if (!res.headersSent) refuse(res, error);
      else res.end();
    });
  });
  const wss = new WebSocketServer({ server: http, path: '/v1/ws', maxPayload: ctx.maxBodyBytes });
  wss.on('connection', (socket, req) =>
    wsSession(
      ctx,
      socket,
      new URL(req.url ?? '/', 'http://localhost').searchParams.get('token') ?? bearer(req),
    ),
  );

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const server: MemoryServer = {
    url: `http://127.0.0.1:${port}`,
    store,
    shared: { store, tokens: ctx.tokens, bus },
    createUser(userId, token = randomBytes(24).toString('base64url')) {
      ctx.tokens.set(token, userId);
      return { userId, token };
    },
    revokeTokens(userId) {
      for (const [token, id] of ctx.tokens) if (id === userId) ctx.tokens.delete(token);
    },
    async close() {
      for (const res of streams) res.end();
      for (const client of wss.clients) client.close(1001, 'server closing');
      wss.close();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
  return server;
}
