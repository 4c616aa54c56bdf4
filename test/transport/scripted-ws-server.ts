import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

/** A connection to the scripted server: the messages it got and a handle to answer. */
export interface ScriptedSocket {
  readonly socket: WebSocket;
  readonly received: Record<string, unknown>[];
  /** Sends a JSON message to the client. */
  send(message: unknown): void;
}

/** Decides what to do with each client message. */
export type WsScript = (message: Record<string, unknown>, connection: ScriptedSocket) => void;

/** A real `ws` server on 127.0.0.1 whose answers a test scripts (out-of-order, silent, closing). */
export interface ScriptedWsServer {
  readonly url: string;
  readonly connections: ScriptedSocket[];
  script(script: WsScript): void;
  /** Resolves when `count` connections have been made. */
  connected(count: number): Promise<ScriptedSocket>;
  close(): Promise<void>;
}

/** Answers `hello` like the reference server (heartbeat 60 s). */
export function helloAnswer(message: Record<string, unknown>, connection: ScriptedSocket): boolean {
  if (message['type'] !== 'hello') return false;
  connection.send({ type: 'hello', protocolVersion: 1, heartbeatMs: 60_000 });
  return true;
}

export async function startScriptedWsServer(initial: WsScript): Promise<ScriptedWsServer> {
  let current = initial;
  const connections: ScriptedSocket[] = [];
  const waiters: { count: number; resolve: (c: ScriptedSocket) => void }[] = [];
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  server.on('connection', (socket) => {
    const connection: ScriptedSocket = {
      socket,
      received: [],
      send: (message) => socket.send(JSON.stringify(message)),
    };
    connections.push(connection);
    for (const waiter of waiters.filter((w) => connections.length >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(connections[waiter.count - 1]!);
    }
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      connection.received.push(message);
      current(message, connection);
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/v1/ws`,
    connections,
    script(script) {
      current = script;
    },
    connected(count) {
      if (connections.length >= count) return Promise.resolve(connections[count - 1]!);
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    close() {
      for (const client of server.clients) client.terminate();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
