import { Observable, of, Subject } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NetworkError } from '../errors/network-error.js';
import type { Capabilities, PullRequest, PullResponse, TransportKind } from '../protocol/messages.js';
import type { ServerEvent, ServerEventSource, SyncTransport } from '../transport/sync-transport.js';
import { connectionManager } from './connection-manager.js';
import type { ConnectionKind, PullOutcome, PullSignal } from './pull-signal.js';

/** A change stream the test opens and breaks by hand; counts its live subscriptions. */
class ScriptedStream implements ServerEventSource {
  live = 0;
  connects = 0;
  #current: Subject<ServerEvent> | undefined;
  events(): Observable<ServerEvent> {
    return new Observable<ServerEvent>((subscriber) => {
      const subject = new Subject<ServerEvent>();
      this.#current = subject;
      this.connects += 1;
      this.live += 1;
      const sub = subject.subscribe(subscriber);
      return () => {
        this.live -= 1;
        sub.unsubscribe();
      };
    });
  }
  open(): void {
    this.#current?.next({ type: 'open', heartbeatMs: 60_000 });
  }
  poke(collection: string): void {
    this.#current?.next({ type: 'poke', poke: { collection, seq: 1 } });
  }
  fail(): void {
    this.#current?.error(new NetworkError('/v1/x', 'unreachable'));
  }
}

function page(via: string): PullResponse {
  return {
    protocolVersion: 1,
    collection: via,
    mode: 'changes',
    changes: [],
    checkpoint: 'cp',
    moreAvailable: false,
    windowSize: 1,
  };
}

function fakeTransport(name: string, offered: () => TransportKind[], fail?: () => unknown): SyncTransport {
  return {
    capabilities: async () => ({ transports: offered() }) as Capabilities,
    pull: async (_request: PullRequest) => {
      const error = fail?.();
      if (error !== undefined) throw error;
      return page(name);
    },
    push: async () => ({ protocolVersion: 1, results: [] }),
  };
}

const always = { online$: of(true), visible$: of(true) };
const settle = () => vi.advanceTimersByTimeAsync(0);

// Pure scheduling logic, no IndexedDB: run it once, in the fake-indexeddb project.
describe.runIf(globalThis.__IDB_BACKEND__ === 'fake-indexeddb')('connection manager', () => {
  let offered: TransportKind[];
  let ws: ScriptedStream;
  let sse: ScriptedStream;
  let kinds: ConnectionKind[];
  let signals: PullSignal[];

  beforeEach(() => {
    vi.useFakeTimers();
    offered = ['poll', 'sse', 'websocket'];
    ws = new ScriptedStream();
    sse = new ScriptedStream();
    kinds = [];
    signals = [];
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function start(extra: { wsFails?: () => unknown; outcomes?: Observable<PullOutcome> } = {}) {
    const http = { ...fakeTransport('http', () => offered), events: () => sse.events() };
    const webSocket = {
      ...fakeTransport('ws', () => offered, extra.wsFails),
      events: () => ws.events(),
    };
    const manager = connectionManager({
      transport: http,
      webSocket,
      environment: always,
      random: () => 0,
      intervalMs: 1_000,
      upgradeAfterMs: 10_000,
    });
    const subscriptions = [
      manager.connection$.subscribe((kind) => kinds.push(kind)),
      (extra.outcomes === undefined ? manager.signals$ : manager.triggers(extra.outcomes)).subscribe(
        (signal) => signals.push(signal),
      ),
    ];
    const stop = () => {
      for (const subscription of subscriptions) subscription.unsubscribe();
    };
    return { manager, stop };
  }

  it('uses the WebSocket when the server offers it, and says so', async () => {
    const { stop } = start();
    await settle();
    ws.open();
    ws.poke('work_orders');
    expect(kinds).toEqual(['offline', 'websocket']);
    expect(signals.map((s) => `${s.reason}:${s.transport}`)).toEqual([
      'start:websocket',
      'connected:websocket',
      'poke:websocket',
    ]);
    expect(sse.connects).toBe(0);
    stop();
    expect(ws.live).toBe(0);
  });

  it('goes straight to SSE when the server does not offer WebSocket, and to polling without either', async () => {
    offered = ['poll', 'sse'];
    const first = start();
    await settle();
    sse.open();
    expect(kinds).toEqual(['offline', 'websocket', 'sse']);
    expect(ws.connects).toBe(0);
    first.stop();

    offered = ['poll'];
    kinds = [];
    signals = [];
    const second = start();
    await settle();
    expect(kinds).toEqual(['offline', 'websocket', 'sse', 'polling']);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(signals.map((s) => s.reason)).toEqual(['start', 'connected', 'interval', 'interval']);
    second.stop();
  });

  it('falls back to SSE after three failed WebSocket connects, then back to WebSocket once it works again', async () => {
    const { manager, stop } = start();
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await settle();
      ws.fail();
    }
    await settle();
    expect(kinds).toEqual(['offline', 'websocket', 'sse']);
    sse.open();
    sse.poke('customers');
    expect(signals.at(-1)).toEqual({ reason: 'poke', collections: ['customers'], transport: 'sse' });

    // The first upgrade probe fails: SSE stays current.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(ws.live).toBe(1);
    ws.fail();
    await settle();
    expect(kinds.at(-1)).toBe('sse');
    expect(sse.live).toBe(1);

    // The next probe opens: WebSocket takes over and the SSE stream is closed.
    await vi.advanceTimersByTimeAsync(10_000);
    ws.open();
    expect(kinds).toEqual(['offline', 'websocket', 'sse', 'websocket']);
    expect(sse.live).toBe(0);
    expect(signals.at(-1)).toEqual({ reason: 'connected', transport: 'websocket' });
    stop();
    expect(ws.live + sse.live).toBe(0);
    let now: ConnectionKind | undefined;
    manager.connection$
      .subscribe((kind) => {
        now = kind;
      })
      .unsubscribe();
    expect(now).toBe('offline');
  });

  it('falls back to polling when both streams keep failing, polling at its interval', async () => {
    const { stop } = start();
    for (const stream of [ws, ws, ws, sse, sse, sse]) {
      await settle();
      stream.fail();
    }
    await settle();
    expect(kinds).toEqual(['offline', 'websocket', 'sse', 'polling']);
    const before = signals.length;
    await vi.advanceTimersByTimeAsync(3_000);
    expect(signals.slice(before).map((s) => `${s.reason}:${s.transport}`)).toEqual([
      'interval:polling',
      'interval:polling',
      'interval:polling',
    ]);
    stop();
  });

  it('routes pulls over the WebSocket while it is current, over HTTP otherwise or when it fails', async () => {
    let wsBroken: unknown;
    const { manager, stop } = start({ wsFails: () => wsBroken });
    const pull = () => manager.syncTransport.pull({ collection: 'x', checkpoint: null, windowSize: 1 });
    await settle();
    expect((await pull()).collection).toBe('ws');
    wsBroken = new NetworkError('/v1/ws', 'connection-lost');
    expect((await pull()).collection).toBe('http');
    stop();
    wsBroken = undefined;
    expect((await pull()).collection).toBe('http');
  });

  it('triggers(outcomes) follows the runner: a failed pull is retried after the Retry-After, nothing circular', async () => {
    const outcomes = new Subject<PullOutcome>();
    const { stop } = start({ outcomes });
    await settle();
    ws.open();
    outcomes.next({ ok: false, error: { code: 'SERVER_ERROR', retryAfterMs: 5_000 } });
    await vi.advanceTimersByTimeAsync(4_999);
    expect(signals.map((s) => s.reason)).toEqual(['start', 'connected']);
    await vi.advanceTimersByTimeAsync(1);
    expect(signals.at(-1)).toEqual({ reason: 'retry', transport: 'websocket' });
    stop();
    expect(outcomes.observed).toBe(false);
  });
});
