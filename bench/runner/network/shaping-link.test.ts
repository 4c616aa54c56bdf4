import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkProfile } from './profiles.js';
import { type RunningShapingLink, startShapingLink, summarizeTraffic } from './shaping-link.js';
import { TokenBucket } from './token-bucket.js';

// Timing here is checked against the link's own schedule (when it planned each byte to arrive) and
// as lower bounds on the wall clock (the link never releases a byte early), never as an upper bound
// on how fast this machine is.

describe('TokenBucket', () => {
  it('serializes bytes at its rate when it has no depth, queueing sends behind each other', () => {
    const bucket = new TokenBucket(1, 0, 0);
    expect(bucket.take(1_000, 0)).toBe(1_000);
    expect(bucket.take(500, 0)).toBe(1_500);
    expect(bucket.take(100, 1_000)).toBe(1_600);
    // Idle long enough: the debt is repaid and no credit is saved up beyond the depth.
    expect(bucket.take(100, 5_000)).toBe(5_100);
  });

  it('lets a burst of its depth leave at once after an idle time', () => {
    const bucket = new TokenBucket(2, 1_000, 0);
    expect(bucket.take(1_000, 0)).toBe(0);
    expect(bucket.take(1_000, 0)).toBe(500);
    expect(bucket.take(200, 2_000)).toBe(2_000);
  });
});

/** Reads one HTTP/1.1 response with a content-length from `socket`. */
function readResponse(socket: Socket): Promise<{ bytes: number; status: number }> {
  return new Promise((resolve, reject) => {
    let buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffer.subarray(0, end).toString('latin1');
      const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
      if (buffer.length < end + 4 + length) return;
      socket.off('data', onData);
      socket.off('error', reject);
      resolve({ bytes: buffer.length, status: Number(head.split(' ')[1]) });
    };
    socket.on('data', onData);
    socket.on('error', reject);
  });
}

/** Sends a GET on `socket`; resolves with the bytes each way once the whole response has arrived. */
async function get(socket: Socket, path: string) {
  const request = `GET ${path} HTTP/1.1\r\nHost: bench\r\nConnection: keep-alive\r\n\r\n`;
  const response = readResponse(socket);
  socket.write(request);
  const { bytes, status } = await response;
  return { sent: Buffer.byteLength(request), received: bytes, status, at: performance.now() };
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, noDelay: true }, () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('shaping link', () => {
  let upstream: Server;
  let running: RunningShapingLink;
  const sockets: Socket[] = [];
  const connectToLink = async () => {
    const socket = await open(running.port);
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://bench');
      const size = Number(url.searchParams.get('bytes') ?? 100);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
      res.end(Buffer.alloc(size, 120));
    });
    upstream.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    running = await startShapingLink({
      targetPort: (upstream.address() as AddressInfo).port,
      shapes: (path) => path.startsWith('/v1/'),
    });
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await running.close();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });

  // 1,000 bytes per millisecond: a transfer of N bytes takes N / 1,000 ms plus the latency.
  const slow: NetworkProfile = { id: 'test-slow', rttMs: 80, bitsPerSecond: 8e6, label: 'test' };
  const bytesPerMs = 1_000;

  it('delivers a transfer of N bytes in N / rate + half the round trip after the server answers, and a new connection waits one round trip first', async () => {
    running.link.use(slow);
    const capture = running.link.capture();
    const started = performance.now();
    const socket = await connectToLink();
    const { sent, received, status, at } = await get(socket, '/v1/blob?bytes=150000');
    const [exchange, ...others] = capture.stop();
    expect(status).toBe(200);
    expect(others).toEqual([]);
    if (!exchange) throw new Error('no exchange captured');

    // Every byte counted, headers included, exactly as the client sent and received them.
    expect(exchange.requestBytes).toBe(sent);
    expect(exchange.responseBytes).toBe(received);
    expect(exchange.responseBytes).toBeGreaterThan(150_000);
    expect(exchange.handshake).toBe(true);

    // The schedule: the response's last byte is due (bytes / rate) + rtt / 2 after the first byte
    // came from the server (a little later if the server's bytes trickled in, never earlier).
    const due = exchange.responseDueAt! - exchange.responseStartedAt!;
    const ideal = exchange.responseBytes / bytesPerMs + slow.rttMs / 2;
    expect(due).toBeGreaterThanOrEqual(ideal - 1e-6);
    expect(due).toBeLessThan(ideal + 100);
    // Never early: the request waited for the handshake and half a round trip; the response was
    // released at or after its due time.
    expect(exchange.requestDeliveredAt!).toBeGreaterThanOrEqual(started + 1.5 * slow.rttMs);
    expect(exchange.responseDeliveredAt!).toBeGreaterThanOrEqual(exchange.responseDueAt!);
    expect(exchange.lateMs).toBeGreaterThanOrEqual(0);
    // The client saw at least the two round trips and the transfer time.
    expect(at - started).toBeGreaterThanOrEqual(2 * slow.rttMs + 150_000 / bytesPerMs);

    const summary = summarizeTraffic([exchange], slow);
    expect(summary).toMatchObject({ requests: 1, upBytes: sent, downBytes: received, handshakes: 1 });
    expect(summary.downBusyMs).toBeCloseTo(received / bytesPerMs, 6);
  });

  it('reuses a kept-alive connection without another handshake', async () => {
    running.link.use(slow);
    const socket = await connectToLink();
    await get(socket, '/v1/blob?bytes=10');
    const capture = running.link.capture();
    const { at } = await get(socket, '/v1/blob?bytes=10');
    const [exchange] = capture.stop();
    if (!exchange) throw new Error('no exchange captured');
    expect(exchange.handshake).toBe(false);
    expect(exchange.requestDeliveredAt! - exchange.requestStartedAt).toBeGreaterThanOrEqual(
      slow.rttMs / 2 + exchange.requestBytes / bytesPerMs - 1e-6,
    );
    expect(at - exchange.requestStartedAt).toBeGreaterThanOrEqual(slow.rttMs);
  });

  it('shares one rate among all connections of the link', async () => {
    running.link.use(slow);
    const [a, b] = await Promise.all([connectToLink(), connectToLink()]);
    await Promise.all([get(a!, '/v1/blob?bytes=10'), get(b!, '/v1/blob?bytes=10')]);
    const capture = running.link.capture();
    await Promise.all([get(a!, '/v1/blob?bytes=100000'), get(b!, '/v1/blob?bytes=100000')]);
    const exchanges = capture.stop();
    expect(exchanges).toHaveLength(2);
    const firstByte = Math.min(...exchanges.map((e) => e.responseStartedAt!));
    const lastDue = Math.max(...exchanges.map((e) => e.responseDueAt!));
    const bytes = exchanges.reduce((n, e) => n + e.responseBytes, 0);
    // Two connections, one link: both transfers together take the time of their sum.
    expect(lastDue - firstByte).toBeGreaterThanOrEqual(bytes / bytesPerMs + slow.rttMs / 2 - 1e-6);
    expect(lastDue - firstByte).toBeLessThan(bytes / bytesPerMs + slow.rttMs / 2 + 100);
  });

  it('lets requests off the shaped paths through undelayed and uncounted', async () => {
    running.link.use({ id: 'test-far', rttMs: 20_000, bitsPerSecond: 8e3, label: 'test' });
    const capture = running.link.capture();
    const socket = await connectToLink();
    const started = performance.now();
    const { status } = await get(socket, '/index.html?bytes=5000');
    expect(status).toBe(200);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(capture.stop()).toEqual([]);
  });

  it('counts the bytes of every exchange on loopback without delaying them', async () => {
    running.link.use({ id: 'loopback', rttMs: 0, label: 'test' });
    const capture = running.link.capture();
    const socket = await connectToLink();
    const { sent, received } = await get(socket, '/v1/blob?bytes=20000');
    const [exchange] = capture.stop();
    expect(exchange).toMatchObject({ requestBytes: sent, responseBytes: received, handshake: false });
    expect(summarizeTraffic([exchange!], running.link.profile).downBusyMs).toBe(0);
  });
});
