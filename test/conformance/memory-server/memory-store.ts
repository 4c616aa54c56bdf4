import { randomBytes } from 'node:crypto';
import { canonicalJson } from '../../../conformance/values.js';
import type {
  Change,
  CollectionInfo,
  Mutation,
  MutationResult,
  PullFilter,
  PullRequest,
  PullResponse,
  RecordValue,
} from '../../../src/protocol/messages.js';
import { type Binding, issue, type Position, read } from './checkpoint-token.js';
import type { Fault } from './faults.js';
import { Mutex } from './mutex.js';

/** A refusal with its protocol error code (the HTTP layer maps it to a status). */
export class Refusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Rec {
  id: string;
  rev: number;
  deleted: boolean;
  value: RecordValue | null;
  writtenBy: string | null;
}

/** One change log: a collection of one owner ('' for shared collections). */
class Log {
  /** Last position handed out. */
  seq = 0;
  /** Highest position visible to readers (equal to `seq` when no write is in flight). */
  committed = 0;
  horizon = 0;
  readonly records = new Map<string, Rec>();
  readonly lock = new Mutex();
}

interface Client {
  userId: string;
  last: number;
  results: Map<number, MutationResult>;
  readonly lock: Mutex;
}

/** A change that committed, for pokes. */
export interface Committed {
  collection: string;
  owner: string;
  seq: number;
  /** The instance (front end) the change was written through. */
  origin: string;
}

const binary = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const matches = (value: RecordValue | null, filter: PullFilter | undefined) =>
  value !== null && (filter === undefined || Object.entries(filter).every(([k, v]) => value[k] === v));
/** Nesting depth of objects and arrays (a value itself is level 1, a scalar level 0). */
const depth = (value: unknown): number =>
  value !== null && typeof value === 'object' ? 1 + Math.max(0, ...Object.values(value).map(depth)) : 0;
/** Simulated storage latency (a write's round trip, up to `maxMs`): the gap in which concurrent requests interleave. */
const io = (maxMs: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, Math.floor(Math.random() * (maxMs + 1))));

/**
 * The in-memory state of the protocol server: records and their change logs, clients and their
 * stored results, and the pull/push logic of docs/protocol.md, with switchable {@link Fault}s.
 */
export class MemoryStore {
  readonly epoch = randomBytes(8).toString('hex');
  readonly #secret = randomBytes(32).toString('hex');
  readonly #logs = new Map<string, Log>();
  readonly #clients = new Map<string, Client>();

  constructor(
    readonly collections: readonly CollectionInfo[],
    readonly faults: ReadonlySet<Fault>,
    readonly limits: {
      maxWindowSize: number;
      maxValueBytes: number;
      maxValueDepth: number;
      maxPageBytes: number;
    },
    readonly onCommit: (event: Committed) => void,
  ) {}

  collection(name: string): CollectionInfo {
    const found = this.collections.find((c) => c.name === name);
    if (found === undefined) throw new Refusal('UNKNOWN_COLLECTION', `Unknown collection ${name}`);
    return found;
  }

  owner(collection: CollectionInfo, userId: string): string {
    return collection.scope === 'user' ? userId : '';
  }

  #log(collection: string, owner: string): Log {
    const key = `${collection}\u0000${owner}`;
    let log = this.#logs.get(key);
    if (log === undefined) {
      log = new Log();
      this.#logs.set(key, log);
    }
    return log;
  }

  async pull(userId: string, request: PullRequest): Promise<PullResponse> {
    const collection = this.collection(request.collection);
    const log = this.#log(collection.name, this.owner(collection, userId));
    const filter =
      request.filter !== undefined && Object.keys(request.filter).length > 0 ? request.filter : undefined;
    const binding: Binding = { epoch: this.epoch, userId, collection: collection.name, filter };
    const windowSize = Math.min(request.windowSize, this.limits.maxWindowSize);
    let at: Position;
    if (request.checkpoint === null) {
      const total = [...log.records.values()].filter((r) => !r.deleted && matches(r.value, filter)).length;
      at = { mode: 'snapshot', seq: log.committed, after: null, total };
    } else {
      const position = read(
        this.#secret,
        binding,
        request.checkpoint,
        this.faults.has('accept-forged-checkpoint'),
      );
      if (position === 'invalid')
        throw new Refusal('INVALID_CHECKPOINT', 'The checkpoint was not issued for this request');
      if (position.seq > log.seq)
        throw new Refusal('RESET_REQUIRED', 'The checkpoint is ahead of the server');
      at = position;
    }
    await io(1);
    if (at.seq < log.horizon)
      throw new Refusal('RESET_REQUIRED', 'The checkpoint is older than the tombstone horizon');
    const base = { protocolVersion: 1, collection: collection.name, windowSize };
    if (at.mode === 'snapshot') {
      const after = at.after;
      const alive = [...log.records.values()]
        .filter((r) => !r.deleted && matches(r.value, filter) && (after === null || binary(r.id, after) > 0))
        .sort((a, b) => binary(a.id, b.id));
      const page = this.#cut(alive, windowSize);
      const changes: Change[] = page.map((r) => ({
        id: r.id,
        rev: String(r.rev),
        op: 'put',
        value: r.value!,
      }));
      if (alive.length > page.length) {
        const until = page[page.length - 1]!.id;
        return {
          ...base,
          mode: 'snapshot',
          changes,
          checkpoint: issue(this.#secret, binding, { ...at, after: until }),
          moreAvailable: true,
          range: { after, until },
          total: at.total,
        };
      }
      return {
        ...base,
        mode: 'snapshot',
        changes,
        checkpoint: issue(this.#secret, binding, { mode: 'changes', seq: at.seq }),
        moreAvailable: log.committed > at.seq,
        range: { after, until: null },
        total: at.total,
      };
    }
    const from = at.seq;
    const later = [...log.records.values()].filter((r) => r.rev > from).sort((a, b) => a.rev - b.rev);
    const page = this.#cut(later, windowSize);
    const changes: Change[] = page.map((r) =>
      r.deleted || !matches(r.value, filter)
        ? { id: r.id, rev: String(r.rev), op: 'delete' }
        : { id: r.id, rev: String(r.rev), op: 'put', value: r.value! },
    );
    const last = page[page.length - 1];
    return {
      ...base,
      mode: 'changes',
      changes,
      checkpoint: issue(this.#secret, binding, {
        mode: 'changes',
        seq: last === undefined ? from : last.rev,
      }),
      moreAvailable: later.length > page.length,
    };
  }

  /** The first records of `records` that fit the window and the byte budget (at least one). */
  #cut(records: Rec[], windowSize: number): Rec[] {
    const page: Rec[] = [];
    let bytes = 0;
    for (const r of records) {
      if (page.length >= windowSize || (page.length > 0 && bytes >= this.limits.maxPageBytes)) break;
      page.push(r);
      bytes += r.value === null ? 0 : Buffer.byteLength(JSON.stringify(r.value));
    }
    return page;
  }

  /** Applies a push (already validated) mutation by mutation, exactly once per mutation id unless faulty. */
  async push(
    userId: string,
    clientId: string,
    mutations: Mutation[],
    origin: string,
  ): Promise<MutationResult[]> {
    const configs = mutations.map((m) => this.collection(m.collection));
    let client = this.#clients.get(clientId);
    if (client === undefined) {
      client = { userId, last: 0, results: new Map(), lock: new Mutex() };
      this.#clients.set(clientId, client);
    }
    if (client.userId !== userId)
      throw new Refusal('CLIENT_ID_FORBIDDEN', 'This client id belongs to another user');
    const once = !this.faults.has('apply-retries-twice');
    const run = async () => {
      const out: MutationResult[] = [];
      for (const [i, m] of mutations.entries()) {
        if (once && m.mutationId <= client.last) {
          out.push(
            client.results.get(m.mutationId) ?? {
              mutationId: m.mutationId,
              status: 'rejected',
              reason: 'expired',
              message: 'Already processed; result no longer kept',
            },
          );
          continue;
        }
        const result = await this.#apply(userId, clientId, configs[i]!, m, origin);
        client.results.set(m.mutationId, result);
        client.last = Math.max(client.last, m.mutationId);
        out.push(result);
      }
      return out;
    };
    return once ? client.lock.run(run) : run();
  }

  async #apply(
    userId: string,
    clientId: string,
    config: CollectionInfo,
    m: Mutation,
    origin: string,
  ): Promise<MutationResult> {
    const reject = (reason: 'read-only' | 'invalid', message: string): MutationResult => ({
      mutationId: m.mutationId,
      status: 'rejected',
      reason,
      message,
    });
    if (config.readOnly) return reject('read-only', `Collection ${config.name} is read-only`);
    if (m.op === 'put' && m.value === undefined) return reject('invalid', 'A put needs a value');
    if (m.op === 'delete' && m.baseRev === null) return reject('invalid', 'A delete needs a baseRev');
    if (m.op === 'put' && Buffer.byteLength(JSON.stringify(m.value)) > this.limits.maxValueBytes) {
      return Object.assign(reject('invalid', 'The value is too large'), { code: 'VALUE_TOO_LARGE' });
    }
    if (m.op === 'put' && depth(m.value) > this.limits.maxValueDepth) {
      return Object.assign(reject('invalid', 'The value is nested too deep'), { code: 'VALUE_TOO_DEEP' });
    }
    const owner = this.owner(config, userId);
    const log = this.#log(config.name, owner);
    const decide = (): MutationResult | 'write' => {
      const current = log.records.get(m.id);
      const alive = current !== undefined && !current.deleted;
      const conflict = (): MutationResult => ({
        mutationId: m.mutationId,
        status: 'conflict',
        current:
          current === undefined
            ? null
            : current.deleted
              ? { id: m.id, rev: String(current.rev), op: 'delete' }
              : { id: m.id, rev: String(current.rev), op: 'put', value: current.value! },
      });
      const unchanged = (rev: number): MutationResult => ({
        mutationId: m.mutationId,
        status: 'applied',
        rev: String(rev),
      });
      if (m.op === 'put') {
        if (m.baseRev === null) {
          if (alive)
            return current.writtenBy === clientId && canonicalJson(current.value) === canonicalJson(m.value)
              ? unchanged(current.rev)
              : conflict();
        } else if (current === undefined || String(current.rev) !== m.baseRev) {
          return conflict();
        }
      } else if (current?.deleted) {
        return unchanged(current.rev);
      } else if (alive && String(current.rev) !== m.baseRev) {
        return conflict();
      }
      return 'write';
    };
    const write = async (): Promise<MutationResult> => {
      const decision = decide();
      if (decision !== 'write') return decision;
      log.seq += 1;
      const seq = log.seq;
      // The in-flight window: in the faulty server nothing stops another writer from becoming
      // visible at seq + 1 before this one lands at seq.
      await io(12);
      log.records.set(m.id, {
        id: m.id,
        rev: seq,
        deleted: m.op === 'delete',
        value: m.op === 'put' ? m.value! : null,
        writtenBy: clientId,
      });
      log.committed = Math.max(log.committed, seq);
      this.onCommit({ collection: config.name, owner, seq, origin });
      return { mutationId: m.mutationId, status: 'applied', rev: String(seq) };
    };
    return this.faults.has('skip-under-concurrency') ? write() : log.lock.run(write);
  }

  /** A server-side write (admin edit or delete); returns the new rev. */
  serverWrite(
    collection: string,
    id: string,
    value: RecordValue | null,
    owner: string,
    origin: string,
  ): Promise<number> {
    const log = this.#log(collection, owner);
    return log.lock.run(async () => {
      log.seq += 1;
      log.records.set(id, { id, rev: log.seq, deleted: value === null, value, writtenBy: null });
      log.committed = log.seq;
      this.onCommit({ collection, owner, seq: log.seq, origin });
      return log.seq;
    });
  }

  /** Removes every tombstone and raises the horizons (compaction with no retention). */
  purgeTombstones(): number {
    let removed = 0;
    for (const log of this.#logs.values()) {
      for (const [id, r] of log.records) {
        if (!r.deleted) continue;
        log.records.delete(id);
        log.horizon = Math.max(log.horizon, r.rev);
        removed += 1;
      }
    }
    return removed;
  }
}
