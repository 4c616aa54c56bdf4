import { createServer, request, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';

/** What the proxy can refuse: the WebSocket upgrade (`/v1/ws`) or the SSE stream (`/v1/events`). */
export type GatedChannel = 'websocket' | 'sse';

/**
 * A real HTTP proxy on 127.0.0.1 in front of the reference server, like a corporate proxy that
 * breaks WebSockets or buffers Server-Sent Events: everything is forwarded byte for byte (requests,
 * streamed answers, WebSocket upgrades) except the channels currently refused, which get a
 * `502 Bad Gateway`. Refusing a channel also cuts its connections that are open.
 */
export interface GateProxy {
  readonly url: string;
  /** Refuses (`true`) or forwards again (`false`) a channel. */
  refuse(channel: GatedChannel, refused: boolean): void;
  /** Open forwarded connections per channel. */
  open(): Record<GatedChannel, number>;
  close(): Promise<void>;
}

/** Starts a proxy to `target` (`http://127.0.0.1:<port>`) on a free port. */
export async function startGateProxy(target: string): Promise<GateProxy> {
  const upstream = new URL(target);
  const refused = new Set<GatedChannel>();
  const live: Record<GatedChannel, Set<Socket>> = { websocket: new Set(), sse: new Set() };
  const everything = new Set<Socket>();

  const server: Server = createServer((req, res) => {
    const sse = (req.url ?? '').startsWith('/v1/events');
    if (sse && refused.has('sse')) {
      res.writeHead(502, { 'content-type': 'text/plain' }).end('SSE refused by the proxy');
      return;
    }
    const forwarded = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.destroy());
    // The client went away (or the proxy cut it): so does the upstream request.
    res.once('close', () => forwarded.destroy());
    if (sse) {
      const socket = req.socket;
      live.sse.add(socket);
      socket.once('close', () => live.sse.delete(socket));
    }
    req.pipe(forwarded);
  });

  server.on('upgrade', (req, socket: Socket, head: Buffer) => {
    if (refused.has('websocket')) {
      socket.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    const next = connect(Number(upstream.port), upstream.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      }
      next.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) next.write(head);
      socket.pipe(next).pipe(socket);
    });
    live.websocket.add(socket);
    const done = () => {
      live.websocket.delete(socket);
      socket.destroy();
      next.destroy();
    };
    socket.on('close', done).on('error', done);
    next.on('close', done).on('error', done);
  });

  server.on('connection', (socket: Socket) => {
    everything.add(socket);
    socket.once('close', () => everything.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    refuse(channel, refuse) {
      if (!refuse) {
        refused.delete(channel);
        return;
      }
      refused.add(channel);
      for (const socket of live[channel]) socket.destroy();
    },
    open: () => ({ websocket: live.websocket.size, sse: live.sse.size }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of everything) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
