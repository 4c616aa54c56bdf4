import { type AddressInfo, createConnection, createServer, type Socket } from 'node:net';
import { isShaped, type NetworkProfile, networkProfiles } from './profiles.js';
import { TokenBucket } from './token-bucket.js';

// The link between the benchmark's browsers and the bench origin. A TCP relay: every browser
// connection gets its own connection to the origin (so keep-alive, connection reuse and the
// browser's connection pool behave as they would against a real server), and every byte of both
// directions crosses it. Exchanges (a request and its response) on the shaped paths (`/v1/*`: the
// sync traffic) are delayed and rate-limited; the page files and the page-control channel pass
// straight through, as if they were already cached or came over another wire.
//
// The model, per shaped exchange:
// - latency: every chunk, in each direction, arrives `rttMs / 2` after it left;
// - bandwidth: one token bucket per direction for the whole link (shared by all connections, as a
//   radio link is; no burst: bytes leave at the rate), on the bytes actually sent: request and
//   status lines, headers, chunked framing, bodies as encoded (compressed when the server
//   compresses);
// - connection setup: a connection whose first exchange is shaped waits one round trip after it was
//   opened (SYN, SYN-ACK) before its first request byte leaves; reused connections pay nothing.
// Not modelled: TCP slow start and congestion control, loss and retransmission, TLS handshakes,
// HTTP/2 multiplexing, receive windows (the server's sends are buffered here without limit), and
// any jitter. The relay releases bytes on Node timers: each release is at or after its due time,
// and how late it was is recorded (`lateMs`), so a loaded machine shows in the figures.

/** Bytes per shaped segment: the granularity at which a transfer's bytes arrive. */
const SEGMENT_BYTES = 8 * 1024;

/** A request and its response on the shaped paths, as the link saw them (times: performance.now()). */
export interface Exchange {
  readonly method: string;
  readonly path: string;
  /** Id of the browser's TCP connection it crossed. */
  readonly connection: number;
  /** Whether it opened its connection and so paid the TCP handshake's round trip. */
  readonly handshake: boolean;
  /** The profile it crossed. */
  readonly profile: string;
  /** When its first request byte reached the link. */
  readonly requestStartedAt: number;
  /** Request bytes as sent: request line, headers, body. */
  requestBytes: number;
  /** Response bytes as sent: status line, headers, body as encoded (and chunk framing). */
  responseBytes: number;
  /** When the link handed its last request byte to the server. */
  requestDeliveredAt: number | undefined;
  /** When its first response byte came from the server. */
  responseStartedAt: number | undefined;
  /** When the link scheduled the last response byte to reach the browser. */
  responseDueAt: number | undefined;
  /** When the link released that byte to the browser (never before `responseDueAt`). */
  responseDeliveredAt: number | undefined;
  /** Largest delay of any of its releases past the due time (timer and load lateness). */
  lateMs: number;
}

/** The exchanges of a measured step, collected by {@link ShapingLink.capture}. */
export interface TrafficCapture {
  /** Stops collecting; returns the exchanges that started since the capture began. */
  stop(): Exchange[];
}

export interface ShapingLinkOptions {
  /** Port of the server behind the link, on 127.0.0.1. */
  readonly targetPort: number;
  /** Whether a request path crosses the shaped link (the others pass straight through, uncounted). */
  readonly shapes: (path: string) => boolean;
  /** Initial profile (default: loopback). */
  readonly profile?: NetworkProfile;
}

interface Pending {
  readonly due: number;
  /** `null`: end of the stream (FIN), in order after the data before it. */
  readonly chunk: Buffer | null;
  readonly released?: (at: number) => void;
}

/** One direction of one connection: releases chunks in order, each at or after its due time. */
class DeliveryQueue {
  #items: Pending[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly sink: Socket) {}

  push(item: Pending): void {
    // Nothing queued and nothing to wait for (loopback, unshaped paths): straight through.
    if (this.#items.length === 0 && item.chunk !== null && item.due <= performance.now()) {
      if (!this.sink.destroyed) this.sink.write(item.chunk);
      item.released?.(performance.now());
      return;
    }
    this.#items.push(item);
    if (this.#timer === undefined) this.#pump();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#items = [];
  }

  #pump = (): void => {
    this.#timer = undefined;
    const now = performance.now();
    const out: Buffer[] = [];
    const done: Pending[] = [];
    let end = false;
    let i = 0;
    for (; i < this.#items.length; i += 1) {
      const item = this.#items[i]!;
      if (item.due > now) break;
      done.push(item);
      if (item.chunk === null) {
        end = true;
        i += 1;
        break;
      }
      out.push(item.chunk);
    }
    this.#items = i === this.#items.length ? [] : this.#items.slice(i);
    if (!this.sink.destroyed) {
      if (out.length > 0) this.sink.write(out.length === 1 ? out[0]! : Buffer.concat(out));
      if (end) this.sink.end();
    }
    for (const item of done) item.released?.(now);
    const head = this.#items[0];
    if (head) this.#timer = setTimeout(this.#pump, Math.max(0, head.due - now));
  };
}

const requestLine = /^([A-Z]{1,16}) (\S+) HTTP\/1\.[01]\r?$/;
const requestLineStart = /^[A-Z]{1,16}( \S*)?$/;

/** One browser connection and its connection to the server behind the link. */
class Relay {
  readonly #acceptedAt = performance.now();
  readonly #toServer: DeliveryQueue;
  readonly #toClient: DeliveryQueue;
  /** The current exchange when it is on a shaped path. */
  #exchange: Exchange | undefined;
  /** The next client bytes start a request (none yet, or the server has answered since). */
  #awaitingRequest = true;
  /** Bytes of a request line that has not fully arrived. */
  #head: Buffer | undefined;
  #requests = 0;
  /** Request bytes held while the connection's handshake round trip runs. */
  #held: Buffer[] | undefined;

  constructor(
    private readonly link: ShapingLink,
    readonly id: number,
    client: Socket,
    upstream: Socket,
  ) {
    this.#toServer = new DeliveryQueue(upstream);
    this.#toClient = new DeliveryQueue(client);
  }

  stop(): void {
    this.#toServer.stop();
    this.#toClient.stop();
  }

  fromClient(data: Buffer): void {
    let chunk: Buffer | undefined = data;
    if (this.#awaitingRequest) chunk = this.#startRequest(data);
    if (chunk === undefined) return;
    const exchange = this.#exchange;
    if (!exchange) {
      this.#toServer.push({ due: performance.now(), chunk });
      return;
    }
    exchange.requestBytes += chunk.length;
    if (this.#held) this.#held.push(chunk);
    else this.#sendToServer(exchange, chunk);
  }

  fromServer(chunk: Buffer): void {
    this.#awaitingRequest = true;
    const exchange = this.#exchange;
    const now = performance.now();
    if (!exchange) {
      this.#toClient.push({ due: now, chunk });
      return;
    }
    exchange.responseBytes += chunk.length;
    exchange.responseStartedAt ??= now;
    for (const segment of segments(chunk, this.link.profile)) {
      const due = this.link.schedule('down', segment.length, now);
      exchange.responseDueAt = due;
      this.#toClient.push({
        due,
        chunk: segment,
        released: (at) => {
          exchange.responseDeliveredAt = at;
          exchange.lateMs = Math.max(exchange.lateMs, at - due);
        },
      });
    }
  }

  clientEnded(): void {
    this.#toServer.push({ due: performance.now(), chunk: null });
  }

  serverEnded(): void {
    this.#toClient.push({ due: performance.now(), chunk: null });
  }

  /** Reads the request line of a new request; returns the bytes to forward (undefined: wait for more). */
  #startRequest(data: Buffer): Buffer | undefined {
    const head = this.#head ? Buffer.concat([this.#head, data]) : data;
    const eol = head.indexOf(10);
    if (eol < 0 && head.length < 8192 && requestLineStart.test(head.toString('latin1'))) {
      this.#head = head;
      return undefined;
    }
    this.#head = undefined;
    this.#awaitingRequest = false;
    const match = eol < 0 ? null : requestLine.exec(head.subarray(0, eol).toString('latin1'));
    // Not a request line: bytes of a connection upgraded to another protocol, part of the exchange.
    if (!match) return head;
    const first = this.#requests === 0;
    this.#requests += 1;
    const path = match[2]!;
    if (!this.link.shapes(path)) {
      this.#exchange = undefined;
      return head;
    }
    const profile = this.link.profile;
    const now = performance.now();
    const handshakeEnds = first && profile.rttMs > 0 ? this.#acceptedAt + profile.rttMs : 0;
    const exchange: Exchange = {
      method: match[1]!,
      path,
      connection: this.id,
      handshake: handshakeEnds > 0,
      profile: profile.id,
      requestStartedAt: now,
      requestBytes: 0,
      responseBytes: 0,
      requestDeliveredAt: undefined,
      responseStartedAt: undefined,
      responseDueAt: undefined,
      responseDeliveredAt: undefined,
      lateMs: 0,
    };
    this.#exchange = exchange;
    this.link.opened(exchange);
    if (handshakeEnds > now) {
      this.#held = [];
      setTimeout(() => {
        exchange.lateMs = Math.max(exchange.lateMs, performance.now() - handshakeEnds);
        const held = this.#held ?? [];
        this.#held = undefined;
        for (const chunk of held) this.#sendToServer(exchange, chunk);
      }, handshakeEnds - now);
    }
    return head;
  }

  #sendToServer(exchange: Exchange, chunk: Buffer): void {
    const now = performance.now();
    for (const segment of segments(chunk, this.link.profile)) {
      const due = this.link.schedule('up', segment.length, now);
      this.#toServer.push({
        due,
        chunk: segment,
        released: (at) => {
          exchange.requestDeliveredAt = at;
          exchange.lateMs = Math.max(exchange.lateMs, at - due);
        },
      });
    }
  }
}

/** `chunk` in the segments the link sends one by one (whole when the profile shapes nothing). */
function* segments(chunk: Buffer, profile: NetworkProfile): Generator<Buffer> {
  if (!isShaped(profile)) {
    yield chunk;
    return;
  }
  for (let at = 0; at < chunk.length; at += SEGMENT_BYTES) {
    yield chunk.subarray(at, Math.min(chunk.length, at + SEGMENT_BYTES));
  }
}

/** A running link: see the model at the top of this file. */
export class ShapingLink {
  #profile: NetworkProfile;
  #up: TokenBucket | undefined;
  #down: TokenBucket | undefined;
  readonly #captures = new Set<Exchange[]>();

  constructor(
    readonly shapes: (path: string) => boolean,
    profile: NetworkProfile,
  ) {
    this.#profile = profile;
    this.use(profile);
  }

  /** The profile new exchanges cross. */
  get profile(): NetworkProfile {
    return this.#profile;
  }

  /**
   * Switches the profile for the exchanges that start from now on (bytes already scheduled keep
   * their times). Switch between steps, while the link is idle.
   */
  use(profile: NetworkProfile): void {
    this.#profile = profile;
    const now = performance.now();
    const rate = profile.bitsPerSecond === undefined ? undefined : profile.bitsPerSecond / 8 / 1000;
    this.#up = rate === undefined ? undefined : new TokenBucket(rate, 0, now);
    this.#down = rate === undefined ? undefined : new TokenBucket(rate, 0, now);
  }

  /** Collects the shaped exchanges that start from now until `stop()`. */
  capture(): TrafficCapture {
    const exchanges: Exchange[] = [];
    this.#captures.add(exchanges);
    return {
      stop: () => {
        this.#captures.delete(exchanges);
        return exchanges;
      },
    };
  }

  /** When `bytes` handed to the link at `now` in `direction` reach the other end. */
  schedule(direction: 'up' | 'down', bytes: number, now: number): number {
    const bucket = direction === 'up' ? this.#up : this.#down;
    const left = bucket ? bucket.take(bytes, now) : now;
    return left + this.#profile.rttMs / 2;
  }

  /** Called by a relay when a shaped exchange starts. */
  opened(exchange: Exchange): void {
    for (const capture of this.#captures) capture.push(exchange);
  }
}

/** A link listening on 127.0.0.1 in front of `targetPort`. */
export interface RunningShapingLink {
  readonly link: ShapingLink;
  /** The port browsers connect to. */
  readonly port: number;
  close(): Promise<void>;
}

/** Starts a link on a free port of 127.0.0.1 in front of the server at `options.targetPort`. */
export async function startShapingLink(options: ShapingLinkOptions): Promise<RunningShapingLink> {
  const link = new ShapingLink(options.shapes, options.profile ?? networkProfiles.loopback);
  const sockets = new Set<Socket>();
  const relays = new Set<Relay>();
  let nextId = 0;
  const server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    const upstream = createConnection({
      host: '127.0.0.1',
      port: options.targetPort,
      allowHalfOpen: true,
      noDelay: true,
    });
    nextId += 1;
    const relay = new Relay(link, nextId, client, upstream);
    relays.add(relay);
    sockets.add(client);
    sockets.add(upstream);
    client.on('data', (chunk: Buffer) => relay.fromClient(chunk));
    upstream.on('data', (chunk: Buffer) => relay.fromServer(chunk));
    client.on('end', () => relay.clientEnded());
    upstream.on('end', () => relay.serverEnded());
    const teardown = () => {
      relay.stop();
      relays.delete(relay);
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', teardown);
    upstream.on('close', teardown);
    client.on('error', teardown);
    upstream.on('error', teardown);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    link,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const relay of relays) relay.stop();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** What a set of exchanges moved and how long the link needed for it. */
export interface TrafficSummary {
  readonly requests: number;
  /** Browser → server bytes (request lines, headers, bodies). */
  readonly upBytes: number;
  /** Server → browser bytes (status lines, headers, bodies as encoded). */
  readonly downBytes: number;
  /** Exchanges that opened a connection (and waited for its handshake). */
  readonly handshakes: number;
  /** Milliseconds the downlink spent sending `downBytes` at the profile's rate (0 when unlimited). */
  readonly downBusyMs: number;
  /** The same for the uplink and `upBytes`. */
  readonly upBusyMs: number;
  /** Largest lateness of a release past its due time. */
  readonly lateMsMax: number;
}

export function summarizeTraffic(exchanges: readonly Exchange[], profile: NetworkProfile): TrafficSummary {
  const sum = (f: (e: Exchange) => number) => exchanges.reduce((n, e) => n + f(e), 0);
  const downBytes = sum((e) => e.responseBytes);
  const upBytes = sum((e) => e.requestBytes);
  const busyMs = (bytes: number) =>
    profile.bitsPerSecond === undefined ? 0 : ((bytes * 8) / profile.bitsPerSecond) * 1000;
  return {
    requests: exchanges.length,
    upBytes,
    downBytes,
    handshakes: exchanges.filter((e) => e.handshake).length,
    downBusyMs: busyMs(downBytes),
    upBusyMs: busyMs(upBytes),
    lateMsMax: exchanges.reduce((m, e) => Math.max(m, e.lateMs), 0),
  };
}
