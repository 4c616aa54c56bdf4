import type {
  Capabilities,
  Change,
  CollectionInfo,
  Mutation,
  MutationResult,
  PullFilter,
  PushRequest,
  RecordValue,
} from '../src/protocol/messages.js';
import { fail, skip } from './check.js';
import type { Exchange } from './exchange.js';
import type { ConformanceHooks } from './options.js';
import { ProtocolClient } from './protocol-client.js';
import type { Answer, Wire } from './wire.js';

/** A user of the run, with a client speaking as them. */
export interface RunUser {
  /** `user 1`, `user 2`: how reports name them (never by token). */
  label: string;
  token: string;
  userId?: string;
  client: ProtocolClient;
}

/** Everything the checks share: set up once per run. */
export interface RunSetup {
  wire: Wire;
  caps: Capabilities;
  /** The capabilities as sent, with fields this version of the kit's schema does not name. */
  announced: Record<string, unknown>;
  users: RunUser[];
  /** The users were made by `createUser` for this run (they start with no records). */
  freshUsers: boolean;
  schemaVersion: number;
  collections: { writable?: CollectionInfo; readOnly?: CollectionInfo; other?: CollectionInfo };
  hooks: ConformanceHooks;
  scale: number;
  maxWaitMs: number;
  /** Random per run: record ids, client ids and values carry it. */
  runId: string;
  /** Wires to the other instances (`peers`), in order. */
  peers: Wire[];
  /** Secret → label (`<token of user 1>`): replaced in everything a report shows. */
  secrets: Map<string, string>;
  /** A WebSocket constructor, when one is available. */
  WebSocket?: WebSocketConstructor;
}

/** The standard WebSocket constructor shape (global in Node 22+, else the `ws` package). */
export type WebSocketConstructor = new (url: string) => WebSocket;

/** What a check gets: the run's setup plus helpers that name ids and collect notes. */
export class CheckContext {
  readonly notes: string[] = [];
  #ids = 0;
  static #clients = 0;

  constructor(
    readonly setup: RunSetup,
    readonly checkId: string,
  ) {}

  get caps(): Capabilities {
    return this.setup.caps;
  }
  /** A positive integer the capabilities announce under `name`, if any (optional fields of newer servers). */
  limit(name: string): number | undefined {
    const value = this.setup.announced[name];
    return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
  }

  get wire(): Wire {
    return this.setup.wire;
  }
  get scale(): number {
    return this.setup.scale;
  }

  /** The first user's client. */
  get alice(): ProtocolClient {
    return this.setup.users[0]!.client;
  }

  /** User 1's client on another instance (`peers[0]`); checks that use it declare the `peer` need. */
  get alicePeer(): ProtocolClient {
    const wire = this.setup.peers[0];
    if (wire === undefined) skip('needs another instance (peers)');
    return new ProtocolClient(wire, this.setup.users[0]!.token, this.setup.schemaVersion);
  }

  /** The second user's client; checks that use it declare the `secondUser` need. */
  get bob(): ProtocolClient {
    const user = this.setup.users[1];
    if (user === undefined) skip('needs a second user');
    return user.client;
  }

  /** The writable collection's name; checks that use it declare the `writable` need. */
  get col(): string {
    const c = this.setup.collections.writable;
    if (c === undefined) skip('needs a writable collection');
    return c.name;
  }

  get writableInfo(): CollectionInfo | undefined {
    return this.setup.collections.writable;
  }

  /** A record id unique to this run and check: `cf-<run>-<check>-<n>` (ASCII, so binary order is plain). */
  id(label = ''): string {
    this.#ids += 1;
    const slug = this.checkId.replace(/[^a-z0-9]+/g, '-');
    return `cf-${this.setup.runId}-${slug}${label === '' ? '' : `-${label}`}-${String(this.#ids).padStart(3, '0')}`;
  }

  /** A value tagged with the run (so a run can find and delete its own records), plus `fields`. */
  value(fields: RecordValue = {}): RecordValue {
    return { cfRun: this.setup.runId, ...fields };
  }

  /** A filter matching only this run's records. */
  get runFilter(): PullFilter {
    return { cfRun: this.setup.runId };
  }

  /** A new client installation (fresh client id, mutation ids from 1) writing as `client`'s user. */
  writer(client: ProtocolClient = this.alice, collection?: string): Writer {
    CheckContext.#clients += 1;
    return new Writer(
      client,
      `cf-${this.setup.runId}-client-${CheckContext.#clients}`,
      collection ?? this.col,
    );
  }

  /** Adds a remark to the check's result. */
  note(text: string): void {
    this.notes.push(text);
  }

  /** A checkpoint at the current end of `collection` for `client` (pulls everything up to now). */
  async head(
    client: ProtocolClient = this.alice,
    collection = this.col,
    filter?: PullFilter,
  ): Promise<string> {
    const { checkpoint } = await client.pullAll(
      collection,
      { checkpoint: null, windowSize: this.caps.maxWindowSize, ...(filter === undefined ? {} : { filter }) },
      `pulling ${collection} to its end`,
    );
    return checkpoint;
  }

  /** Every change after `checkpoint`, pulled to the end. */
  async changesSince(
    checkpoint: string,
    what: string,
    client: ProtocolClient = this.alice,
    collection = this.col,
    filter?: PullFilter,
  ): Promise<{ changes: Change[]; checkpoint: string; exchanges: Exchange[] }> {
    const {
      pages,
      checkpoint: next,
      exchanges,
    } = await client.pullAll(
      collection,
      { checkpoint, windowSize: this.caps.maxWindowSize, ...(filter === undefined ? {} : { filter }) },
      what,
    );
    return { changes: pages.flatMap((p) => p.changes), checkpoint: next, exchanges };
  }

  /**
   * The server's current state of the records with `ids` (or all of them), read through a full
   * snapshot: id → change (`put` with value, absent when deleted).
   */
  async snapshot(
    what: string,
    client: ProtocolClient = this.alice,
    collection = this.col,
    filter?: PullFilter,
  ): Promise<{ state: Map<string, Change>; exchanges: Exchange[] }> {
    const { pages, exchanges } = await client.pullAll(
      collection,
      { checkpoint: null, windowSize: this.caps.maxWindowSize, ...(filter === undefined ? {} : { filter }) },
      what,
    );
    const state = new Map<string, Change>();
    for (const page of pages) for (const change of page.changes) apply(state, change);
    return { state, exchanges };
  }

  /** Fails unless nothing changed after `checkpoint` (a refused request changes nothing). */
  async expectNothingChanged(checkpoint: string, what: string, cause?: Exchange): Promise<void> {
    const { changes, exchanges } = await this.changesSince(
      checkpoint,
      `checking that ${what} changed nothing`,
    );
    if (changes.length > 0) {
      fail(
        `checking that ${what} changed nothing`,
        'no change in the collection after it',
        `${changes.length} change(s): ${changes
          .slice(0, 3)
          .map((c) => `${c.op} ${c.id}`)
          .join(', ')}`,
        ...(cause === undefined ? [] : [cause]),
        ...exchanges.slice(-1),
      );
    }
  }
}

/** Applies one pulled change to a state map (deletes remove). */
export function apply(state: Map<string, Change>, change: Change): void {
  if (change.op === 'put') state.set(change.id, change);
  else state.delete(change.id);
}

/** One client installation: a client id and its increasing mutation ids. */
export class Writer {
  #next = 0;

  constructor(
    readonly client: ProtocolClient,
    readonly clientId: string,
    readonly collection: string,
  ) {}

  /** The next mutation id (strictly increasing; callers may also skip ids). */
  nextId(): number {
    this.#next += 1;
    return this.#next;
  }

  /** Moves the id counter past `id` (after a push that used ids by hand). */
  skipTo(id: number): void {
    this.#next = Math.max(this.#next, id);
  }

  put(id: string, value: RecordValue, baseRev: string | null, collection = this.collection): Mutation {
    return { mutationId: this.nextId(), collection, id, op: 'put', baseRev, value };
  }

  del(id: string, baseRev: string | null, collection = this.collection): Mutation {
    return { mutationId: this.nextId(), collection, id, op: 'delete', baseRev };
  }

  request(mutations: Mutation[]): PushRequest {
    return { clientId: this.clientId, mutations };
  }

  async push(
    mutations: Mutation[],
    what: string,
  ): Promise<{ results: MutationResult[]; answer: Answer; request: PushRequest }> {
    const request = this.request(mutations);
    const { results, answer } = await this.client.pushOk(request, what);
    return { results, answer, request };
  }

  /** Creates records (`baseRev: null`), each of which must be applied; returns their revs. */
  async create(records: [string, RecordValue][], what: string): Promise<string[]> {
    const { results, answer } = await this.push(
      records.map(([id, value]) => this.put(id, value, null)),
      what,
    );
    return results.map((r) => expectApplied(r, what, answer.exchange));
  }
}

/** The rev of an `applied` result, or the check fails. */
export function expectApplied(result: MutationResult, what: string, exchange: Exchange): string {
  if (result.status !== 'applied')
    fail(what, `mutation ${result.mutationId} applied`, describeResult(result), exchange);
  return result.rev;
}

/** A result in words, for failure messages. */
export function describeResult(result: MutationResult | undefined): string {
  if (result === undefined) return 'no result';
  if (result.status === 'applied') return `mutation ${result.mutationId} applied with rev "${result.rev}"`;
  if (result.status === 'rejected') return `mutation ${result.mutationId} rejected (${result.reason})`;
  const c = result.current;
  return `mutation ${result.mutationId} in conflict with ${c === null ? 'nothing (current: null)' : `${c.op} rev "${c.rev}"`}`;
}
