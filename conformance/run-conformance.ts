import { randomBytes } from 'node:crypto';
import { type Capabilities, capabilitiesSchema } from '../src/protocol/messages.js';
import { PROTOCOL_PATHS } from '../src/protocol/version.js';
import { adminHooks } from './admin-hooks.js';
import { type Check, CheckFailure, CheckSkipped, type Need } from './check.js';
import { ALL_CHECKS } from './checks/index.js';
import { CheckContext, type RunSetup, type RunUser, type WebSocketConstructor } from './context.js';
import { formatExchange, redact } from './exchange.js';
import { pickCollections, skipReason } from './needs.js';
import type { ConformanceHooks, ConformanceOptions, ConformanceUser } from './options.js';
import { ProtocolClient } from './protocol-client.js';
import type { CheckResult, ConformanceReport } from './report.js';
import { Wire, WireError } from './wire.js';

/**
 * Runs the conformance checks against a server speaking docs/protocol.md and returns the report.
 * Talks to the server only over HTTP, SSE and WebSocket. Never throws for a failing server: every
 * broken promise is a failed check in the report (only invalid options throw).
 *
 * @example
 * const report = await runConformance({ url: 'http://127.0.0.1:8787', admin: { token: process.env.ADMIN_TOKEN! } });
 * console.log(formatReport(report));
 */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const started = performance.now();
  const scale = options.scale ?? 1;
  if (!Number.isSafeInteger(scale) || scale < 1) throw new Error('scale must be a positive integer');
  const wire = new Wire(
    options.url.endsWith('/') ? options.url : `${options.url}/`,
    options.requestTimeoutMs ?? 15_000,
  );
  const runId = randomBytes(4).toString('hex');
  const secrets = new Map<string, string>();
  if (options.admin !== undefined) secrets.set(options.admin.token, '<admin token>');
  const hooks: ConformanceHooks = {
    ...(options.admin === undefined ? {} : adminHooks(wire, options.admin, runId)),
    ...options.hooks,
  };
  const selected = ALL_CHECKS.filter((c) => selectedBy(c, options.only, options.skip));
  const results: CheckResult[] = [];
  const report = (caps?: Capabilities, setup?: RunSetup): ConformanceReport => {
    const count = (status: CheckResult['status']) => results.filter((r) => r.status === status).length;
    return {
      url: options.url,
      ok: count('fail') === 0,
      passed: count('pass'),
      failed: count('fail'),
      skipped: count('skip'),
      durationMs: performance.now() - started,
      rateLimited: wire.rateLimited,
      ...(caps === undefined ? {} : { capabilities: caps }),
      setup: {
        users: setup?.users.length ?? 0,
        freshUsers: setup?.freshUsers ?? false,
        ...(setup === undefined ? {} : { schemaVersion: setup.schemaVersion }),
        ...(setup?.collections.writable === undefined ? {} : { collection: setup.collections.writable.name }),
        ...(setup?.collections.readOnly === undefined
          ? {}
          : { readOnlyCollection: setup.collections.readOnly.name }),
        ...(setup?.collections.other === undefined ? {} : { otherCollection: setup.collections.other.name }),
        hooks: Object.keys(hooks).filter((k) => hooks[k as keyof ConformanceHooks] !== undefined),
        scale,
      },
      checks: results,
    };
  };
  const push = (result: CheckResult) => {
    results.push(result);
    options.onResult?.(result);
  };

  // Without readable capabilities nothing else can be set up.
  let caps: Capabilities;
  let announced: Record<string, unknown>;
  try {
    const answer = await wire.send('GET', PROTOCOL_PATHS.capabilities);
    const parsed = capabilitiesSchema.safeParse(answer.json);
    if (answer.status !== 200 || !parsed.success) {
      throw new CheckFailure(
        'reading GET /v1/capabilities',
        '200 with valid Capabilities',
        `${answer.status} ${answer.text.slice(0, 200)}`,
        [answer.exchange],
      );
    }
    caps = parsed.data;
    announced = answer.json as Record<string, unknown>;
  } catch (error) {
    const failure =
      error instanceof CheckFailure
        ? error
        : error instanceof WireError
          ? new CheckFailure(
              'reading GET /v1/capabilities',
              'an answer',
              error.exchange.error ?? 'no answer',
              [error.exchange],
            )
          : undefined;
    if (failure === undefined) throw error;
    for (const c of selected) {
      if (c.id === 'capabilities.document') push(failed(c, failure, 0, secrets));
      else push(skipped(c, 'the capabilities could not be read'));
    }
    return report();
  }

  const schemaVersion = options.schemaVersion ?? caps.schemaVersions.minWritable;
  const given: ConformanceUser[] = (options.users ?? []).map((u) =>
    typeof u === 'string' ? { token: u } : u,
  );
  let freshUsers = false;
  let userError: string | undefined;
  if (given.length < 2 && hooks.createUser !== undefined) {
    try {
      while (given.length < 2) given.push(await hooks.createUser());
      freshUsers = options.users === undefined || options.users.length === 0;
    } catch (error) {
      userError = `createUser failed: ${(error as Error).message}`;
    }
  }
  const users: RunUser[] = given.map((u, i) => {
    secrets.set(u.token, `<token of user ${i + 1}>`);
    return {
      label: `user ${i + 1}`,
      token: u.token,
      ...(u.userId === undefined ? {} : { userId: u.userId }),
      client: new ProtocolClient(wire, u.token, schemaVersion),
    };
  });
  const setup: RunSetup = {
    wire,
    caps,
    announced,
    users,
    freshUsers,
    schemaVersion,
    collections: pickCollections(caps, options.collection),
    hooks,
    scale,
    maxWaitMs: options.maxWaitMs ?? 5_000,
    runId,
    secrets,
    peers: (options.peers ?? []).map((url) => wire.to(url)),
    ...(await webSocketImpl().then((impl) => (impl === undefined ? {} : { WebSocket: impl }))),
  };

  for (const c of selected) {
    const why =
      users.length === 0
        ? (userError ?? 'no user: pass a token (--token), or an admin token / createUser hook')
        : skipReason(c.needs ?? [], setup, options);
    if (why !== undefined && c.id !== 'capabilities.document') {
      push(skipped(c, why));
      continue;
    }
    push(await runOne(c, setup, options.checkTimeoutMs ?? 60_000));
  }
  if (!freshUsers && setup.collections.writable !== undefined) await cleanUp(setup);
  return report(caps, setup);
}

/** Every check the kit has, in run order: id, group, the promise in words, and its anchor in docs/protocol.md. */
export function listChecks(): {
  id: string;
  group: string;
  title: string;
  doc: string;
  needs: readonly Need[];
}[] {
  return ALL_CHECKS.map((c) => ({ ...base(c), needs: c.needs ?? [] }));
}

/** Runs one check with a timeout; a failure keeps what was expected and seen, redacted. */
async function runOne(c: Check, setup: RunSetup, timeoutMs: number): Promise<CheckResult> {
  const ctx = new CheckContext(setup, c.id);
  const started = performance.now();
  const firstExchange = setup.wire.log.length;
  const limit = c.group === 'concurrency' ? timeoutMs * setup.scale : timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      c.run(ctx),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const last = setup.wire.log.slice(Math.max(firstExchange, setup.wire.log.length - 3));
          reject(
            new CheckFailure(
              'running the check',
              `the check to finish within ${limit} ms`,
              'it did not (a request hung, or an awaited message never came)',
              last,
            ),
          );
        }, limit);
      }),
    ]);
    return {
      ...base(c),
      status: 'pass',
      durationMs: performance.now() - started,
      ...(ctx.notes.length > 0 ? { notes: ctx.notes } : {}),
    };
  } catch (error) {
    const ms = performance.now() - started;
    if (error instanceof CheckSkipped) return skipped(c, error.message, ms);
    if (error instanceof CheckFailure) return failed(c, error, ms, setup.secrets);
    if (error instanceof WireError) {
      return failed(
        c,
        new CheckFailure('sending a request', 'an HTTP answer', error.exchange.error ?? 'none', [
          error.exchange,
        ]),
        ms,
        setup.secrets,
      );
    }
    const message = error instanceof Error ? error.message : String(error);
    return failed(
      c,
      new CheckFailure(
        'running the check',
        'no unexpected error',
        `the kit hit: ${message}`,
        setup.wire.log.slice(-2),
      ),
      ms,
      setup.secrets,
    );
  } finally {
    clearTimeout(timer);
  }
}

function base(c: Check) {
  return { id: c.id, group: c.group, title: c.title, doc: c.doc };
}

function skipped(c: Check, reason: string, durationMs = 0): CheckResult {
  return { ...base(c), status: 'skip', durationMs, reason };
}

function failed(
  c: Check,
  failure: CheckFailure,
  durationMs: number,
  secrets: ReadonlyMap<string, string>,
): CheckResult {
  const what = redact(failure.what, secrets);
  const expected = redact(failure.expected, secrets);
  const seen = redact(failure.seen, secrets);
  return {
    ...base(c),
    status: 'fail',
    durationMs,
    failure: {
      message: `${c.id}: ${c.title} — broken while ${what}: expected ${expected}; saw ${seen}`,
      what,
      expected,
      seen,
      exchanges: failure.exchanges.map((e) => formatExchange(e, secrets)),
    },
  };
}

function selectedBy(
  c: Check,
  only: readonly string[] | undefined,
  leaveOut: readonly string[] | undefined,
): boolean {
  const hit = (names: readonly string[]) => names.some((n) => n === c.id || n === c.group);
  return (only === undefined || only.length === 0 || hit(only)) && !(leaveOut !== undefined && hit(leaveOut));
}

async function webSocketImpl(): Promise<WebSocketConstructor | undefined> {
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (global !== undefined) return global;
  try {
    const ws = (await import('ws')) as unknown as { WebSocket: WebSocketConstructor };
    return ws.WebSocket;
  } catch {
    return undefined;
  }
}

/** Deletes the records this run wrote to the given users' collection (best effort, not a check). */
async function cleanUp(setup: RunSetup): Promise<void> {
  const collection = setup.collections.writable!.name;
  for (const user of setup.users) {
    try {
      const ctx = new CheckContext(setup, 'cleanup');
      const { state } = await ctx.snapshot('cleaning up', user.client, collection, ctx.runFilter);
      const w = ctx.writer(user.client, collection);
      const ids = [...state.values()];
      for (let i = 0; i < ids.length; i += setup.caps.maxMutationsPerPush) {
        await user.client.push(
          w.request(ids.slice(i, i + setup.caps.maxMutationsPerPush).map((c) => w.del(c.id, c.rev))),
        );
      }
    } catch {
      // Cleaning up is a courtesy; the report is already complete.
    }
  }
}
