import { randomUUID } from 'node:crypto';
import { Pool } from 'undici';
import WebSocket from 'ws';
import type { Mutation, PullResponse, PushResponse } from '../src/protocol/messages.js';
import { PROTOCOL_HEADERS, PROTOCOL_PATHS } from '../src/protocol/version.js';
import { Latencies } from './latency.js';

/** What to run: simulated clients against server instances on 127.0.0.1. */
export interface LoadOptions {
  /** Base URLs of the instances (all on 127.0.0.1 or localhost). */
  urls: readonly string[];
  /** Admin token of the instances (users are created through `/admin/users`). */
  adminToken: string;
  /** Simulated clients, each its own user with a WebSocket for pokes. At most 5,000. */
  clients: number;
  /** How long the measured phase lasts, in ms. At most 600,000. */
  durationMs: number;
  /** Mean pause between a client's pushes, in ms (exponential); `0`: push again at once (saturation). */
  thinkMs: number;
  /** Mutations per push. Default 5. */
  mutationsPerPush?: number;
  /** HTTP connections per instance. Default 64. */
  connectionsPerInstance?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** Figures of one run. */
export interface LoadReport {
  instances: number;
  clients: number;
  durationMs: number;
  thinkMs: number;
  mutationsPerPush: number;
  pushes: number;
  pushesPerSecond: number;
  mutationsPerSecond: number;
  pulls: number;
  pullsPerSecond: number;
  pokes: number;
  latencyMs: {
    push: ReturnType<Latencies['summary']>;
    pull: ReturnType<Latencies['summary']>;
    /** From sending a push to receiving its poke on the client's WebSocket (often another instance). */
    poke: ReturnType<Latencies['summary']>;
  };
  /** Failed requests by status (`0`: network error); pushes with a mutation not applied. */
  errors: Record<string, number>;
  notApplied: number;
}

const MAX_CLIENTS = 5000;
const MAX_DURATION_MS = 600_000;

/**
 * Drives `clients` simulated clients through the sync cycle against the instances: each opens a
 * WebSocket (hello) on one instance, does a full pull, then until the end pushes `mutationsPerPush`
 * writes of its own records through a random instance, waits for the poke of that change on its
 * WebSocket (relayed across instances through PostgreSQL), and pulls the changes — with a think time
 * between cycles. Traffic goes only to 127.0.0.1.
 */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const o = { mutationsPerPush: 5, connectionsPerInstance: 64, log: () => {}, ...options };
  if (!(o.clients >= 1 && o.clients <= MAX_CLIENTS)) throw new Error(`clients must be 1..${MAX_CLIENTS}`);
  if (!(o.durationMs > 0 && o.durationMs <= MAX_DURATION_MS)) throw new Error('durationMs out of range');
  for (const url of o.urls) {
    const { hostname } = new URL(url);
    if (hostname !== '127.0.0.1' && hostname !== 'localhost') {
      throw new Error(`The load generator only talks to 127.0.0.1 (got ${url})`);
    }
  }
  const pools = o.urls.map((url) => new Pool(url, { connections: o.connectionsPerInstance, pipelining: 1 }));
  const pushLatency = new Latencies();
  const pullLatency = new Latencies();
  const pokeLatency = new Latencies();
  const errors: Record<string, number> = {};
  let notApplied = 0;
  let pokes = 0;
  let measuring = false;
  const fail = (status: number) => {
    if (measuring) errors[String(status)] = (errors[String(status)] ?? 0) + 1;
  };

  const request = async <T>(
    instance: number,
    path: string,
    token: string,
    body: unknown,
  ): Promise<{ status: number; body?: T }> => {
    try {
      const response = await pools[instance]!.request({
        path,
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'accept-encoding': 'identity',
          [PROTOCOL_HEADERS.schemaVersion]: '1',
        },
        body: JSON.stringify(body),
      });
      const text = await response.body.text();
      if (response.statusCode !== 200) return { status: response.statusCode };
      return { status: 200, body: JSON.parse(text) as T };
    } catch {
      return { status: 0 };
    }
  };

  // Users and their WebSockets.
  o.log(`creating ${o.clients} users…`);
  const tokens: string[] = [];
  const runId = randomUUID().slice(0, 8);
  for (let start = 0; start < o.clients; start += 20) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(20, o.clients - start) }, async (_, k) => {
        const instance = (start + k) % pools.length;
        const response = await pools[instance]!.request({
          path: '/admin/users',
          method: 'POST',
          headers: { authorization: `Bearer ${o.adminToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ userId: `load-${runId}-${start + k}` }),
        });
        const created = (await response.body.json()) as { token?: string };
        if (created.token === undefined) throw new Error(`creating a user answered ${response.statusCode}`);
        return created.token;
      }),
    );
    tokens.push(...batch);
  }

  const deadline = { at: Number.POSITIVE_INFINITY };
  let ready = 0;
  let go!: () => void;
  const started = new Promise<void>((resolve) => {
    go = resolve;
  });
  const random = (n: number) => Math.floor(Math.random() * n);
  const think = () =>
    o.thinkMs <= 0
      ? Promise.resolve()
      : sleep(Math.min(-Math.log(1 - Math.random()) * o.thinkMs, 20 * o.thinkMs));

  const clients = tokens.map(async (token, c) => {
    const wsUrl = `${o.urls[c % o.urls.length]!.replace('http', 'ws')}${PROTOCOL_PATHS.ws}`;
    const ws = new WebSocket(wsUrl);
    /** Resolvers of pokes awaited by this client, and when its last push was sent. */
    let awaitedSeq = 0;
    let pokeWaiter: (() => void) | undefined;
    let lastPushAt = 0;
    await new Promise<void>((resolve, reject) => {
      ws.once('error', reject);
      ws.once('open', () => ws.send(JSON.stringify({ type: 'hello', token, schemaVersion: 1 })));
      ws.on('message', (raw) => {
        const message = JSON.parse(String(raw)) as { type: string; seq?: number };
        if (message.type === 'hello') resolve();
        if (message.type === 'poke' && (message.seq ?? 0) >= awaitedSeq && pokeWaiter !== undefined) {
          if (measuring) {
            pokes += 1;
            pokeLatency.add(performance.now() - lastPushAt);
          }
          const wake = pokeWaiter;
          pokeWaiter = undefined;
          wake();
        }
      });
    });
    const clientId = randomUUID();
    let mutationId = 0;
    let checkpoint: string | null = null;
    const revs = new Map<string, string>();
    const pull = async () => {
      for (;;) {
        const started = performance.now();
        const answer = await request<PullResponse>(random(pools.length), PROTOCOL_PATHS.pull, token, {
          collection: 'work_orders',
          checkpoint,
          windowSize: 500,
        });
        if (measuring) pullLatency.add(performance.now() - started);
        if (answer.body === undefined) {
          fail(answer.status);
          return;
        }
        for (const change of answer.body.changes) revs.set(change.id, change.rev);
        checkpoint = answer.body.checkpoint;
        if (!answer.body.moreAvailable) return;
      }
    };
    await pull();
    ready += 1;
    await started;
    while (performance.now() < deadline.at) {
      await think();
      if (performance.now() >= deadline.at) break;
      const first = random(50);
      const mutations: Mutation[] = Array.from({ length: o.mutationsPerPush }, (_, k) => {
        const id = `r${(first + k) % 50}`;
        return {
          mutationId: ++mutationId,
          collection: 'work_orders',
          id,
          op: 'put',
          baseRev: revs.get(id) ?? null,
          value: { title: `Work order ${id}`, status: 'open', note: 'x'.repeat(200), n: mutationId },
        };
      });
      const poked = new Promise<void>((resolve) => {
        pokeWaiter = resolve;
      });
      lastPushAt = performance.now();
      const answer = await request<PushResponse>(random(pools.length), PROTOCOL_PATHS.push, token, {
        clientId,
        mutations,
      });
      if (measuring) pushLatency.add(performance.now() - lastPushAt);
      if (answer.body === undefined) {
        pokeWaiter = undefined;
        fail(answer.status);
        continue;
      }
      let newest = 0;
      for (const [i, result] of answer.body.results.entries()) {
        if (result.status === 'applied') {
          revs.set(mutations[i]!.id, result.rev);
          newest = Math.max(newest, Number(result.rev));
        } else if (measuring) notApplied += 1;
      }
      if (newest > 0) {
        awaitedSeq = newest;
        // The poke may have come before the answer; wait for it at most 5 s.
        await Promise.race([poked, sleep(5000)]);
      }
      pokeWaiter = undefined;
      await pull();
    }
    ws.close();
  });

  o.log(`${o.clients} clients connecting…`);
  // Not measured: every client connects its WebSocket and does its first pull.
  const failed = Promise.all(clients).then(() => 'done' as const);
  while (ready < o.clients) {
    if ((await Promise.race([failed, sleep(50)])) === 'done') break;
  }
  o.log(`${o.clients} clients ready; measuring for ${o.durationMs} ms`);
  measuring = true;
  const startedAt = performance.now();
  deadline.at = startedAt + o.durationMs;
  go();
  await Promise.all(clients);
  const elapsed = (performance.now() - startedAt) / 1000;
  await Promise.all(pools.map((p) => p.close()));
  return {
    instances: o.urls.length,
    clients: o.clients,
    durationMs: o.durationMs,
    thinkMs: o.thinkMs,
    mutationsPerPush: o.mutationsPerPush,
    pushes: pushLatency.count,
    pushesPerSecond: round(pushLatency.count / elapsed),
    mutationsPerSecond: round((pushLatency.count * o.mutationsPerPush) / elapsed),
    pulls: pullLatency.count,
    pullsPerSecond: round(pullLatency.count / elapsed),
    pokes,
    latencyMs: { push: pushLatency.summary(), pull: pullLatency.summary(), poke: pokeLatency.summary() },
    errors,
    notApplied,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
