/**
 * A client instance that can die like a closed tab at any await of a sync run. Every IndexedDB
 * event the instance waits for (a request's `success`/`error`, an open's `upgradeneeded`, a
 * transaction's `complete`/`abort`) and every transport call (before it is sent, after its answer
 * arrived) is one step. At step `k`, before that event is delivered, the instance dies: its
 * unfinished transactions abort (their uncommitted work is lost) and its connections close. From
 * then on nothing it does lasts: a new transaction throws (closed connection), a new open never
 * answers, a request never reaches the server and never answers. (Events already under way are
 * still delivered, to the instance's code too: both backends hang their own bookkeeping on them.)
 *
 * The IndexedDB side works on the backend's event dispatch, which needs {@link installAbandonHooks}
 * once per test file; a connection belongs to an instance when it was opened through its
 * {@link Abandonment.factory}.
 */
export class Abandonment {
  /** Steps taken since the last {@link arm}. */
  steps = 0;
  /** True once the instance died. */
  dead = false;
  /** Resolves when the instance dies. */
  readonly killed: Promise<void>;
  /** Pass this factory to the instance's database handle. */
  readonly factory: IDBFactory;
  readonly connections = new Set<IDBDatabase>();
  readonly transactions = new Set<IDBTransaction>();
  #at = Number.POSITIVE_INFINITY;
  #action: () => void = () => this.kill();
  #resolveKilled!: () => void;

  constructor() {
    this.killed = new Promise((resolve) => {
      this.#resolveKilled = resolve;
    });
    const real = indexedDB;
    this.factory = {
      open: (name: string, version?: number) => {
        if (this.dead) return neverAnsweredOpen();
        const request = version === undefined ? real.open(name) : real.open(name, version);
        owners.set(request, this);
        return request;
      },
      deleteDatabase: (name: string) => real.deleteDatabase(name),
      cmp: (a: unknown, b: unknown) => real.cmp(a, b),
      databases: () => real.databases(),
    } as IDBFactory;
  }

  /**
   * Kills the instance at step `at` from now (steps count from 0 again); `Infinity` only counts.
   * With `action`, runs that at step `at` instead (once), and the instance lives on unless it kills it.
   */
  arm(at: number, action: () => void = () => this.kill()): void {
    this.steps = 0;
    this.#at = at;
    this.#action = action;
  }

  /** One await of the instance. Returns false when the instance is dead (it may die at this step). */
  step(): boolean {
    if (this.dead) return false;
    if (this.steps === this.#at) {
      this.#at = Number.POSITIVE_INFINITY;
      this.#action();
      if (this.dead) return false;
    }
    this.steps += 1;
    return true;
  }

  /** Kills the instance now: what the tab had not committed is lost, and nothing of it runs again. */
  kill(): void {
    if (this.dead) return;
    this.dead = true;
    // An aborted upgrade closes its connection itself; closing it too wedges fake-indexeddb's queue
    // of opens for that database.
    const upgrading = new Set<IDBDatabase>();
    for (const tx of this.transactions) {
      if (tx.mode === 'versionchange') upgrading.add(tx.db);
      try {
        tx.abort();
      } catch {
        // already committing or finished
      }
    }
    this.transactions.clear();
    for (const db of this.connections) if (!upgrading.has(db)) db.close();
    this.#resolveKilled();
  }
}

/** A promise that never settles: what a dead page waits on forever. */
export function never<T>(): Promise<T> {
  return new Promise<T>(() => {});
}

/** Which instance each open request, connection and transaction belongs to. */
const owners = new WeakMap<object, Abandonment>();

/** Events that end an await of the instance (a step). */
const stepEvents = new Set(['success', 'error', 'upgradeneeded', 'complete', 'abort']);

/**
 * Hooks the IndexedDB backend's event dispatch (fake-indexeddb and indexeddbshim both dispatch
 * through `target.dispatchEvent`) and `IDBDatabase.prototype.transaction`. Objects of no
 * {@link Abandonment} pass through untouched. Returns the function that removes the hooks.
 */
export function installAbandonHooks(): () => void {
  const undo = [
    patch(
      IDBRequest.prototype,
      'dispatchEvent',
      (original) =>
        function (this: IDBRequest, event: Event) {
          return dispatch(this, requestOwner(this), event, original);
        },
    ),
    patch(
      IDBTransaction.prototype,
      'dispatchEvent',
      (original) =>
        function (this: IDBTransaction, event: Event) {
          const owner = owners.get(this);
          if (owner && (event.type === 'complete' || event.type === 'abort')) owner.transactions.delete(this);
          return dispatch(this, owner, event, original);
        },
    ),
    patch(
      IDBDatabase.prototype,
      'transaction',
      (original) =>
        function (this: IDBDatabase, ...args: unknown[]) {
          const tx = original.apply(this, args) as IDBTransaction;
          const owner = owners.get(this);
          if (owner) {
            owners.set(tx, owner);
            owner.transactions.add(tx);
          }
          return tx;
        },
    ),
  ];
  return () => {
    for (const restore of undo.reverse()) restore();
  };
}

function requestOwner(request: IDBRequest): Abandonment | undefined {
  const own = owners.get(request);
  if (own) {
    // An open request: its connection (and upgrade transaction) belong to the same instance.
    const result = safeResult(request);
    if (result instanceof IDBDatabase && !owners.has(result)) {
      owners.set(result, own);
      own.connections.add(result);
    }
    const upgrade = request.transaction;
    if (upgrade && !owners.has(upgrade)) {
      owners.set(upgrade, own);
      own.transactions.add(upgrade);
    }
    return own;
  }
  const tx = request.transaction;
  return tx ? owners.get(tx) : undefined;
}

function safeResult(request: IDBRequest): unknown {
  try {
    return request.result;
  } catch {
    return undefined; // not done yet
  }
}

type Dispatch = (this: EventTarget, event: Event) => boolean;
// biome-ignore lint/suspicious/noExplicitAny: the patched members have different signatures.
type Member = (this: any, ...args: any[]) => any;

function dispatch(
  target: IDBRequest | IDBTransaction,
  owner: Abandonment | undefined,
  event: Event,
  original: Dispatch,
): boolean {
  if (owner && !owner.dead && stepEvents.has(event.type)) owner.step();
  // An open of a dead instance that was under way: a gone page holds no connection and runs no upgrade.
  if (owner?.dead && target instanceof IDBRequest && owners.get(target) === owner) {
    const upgrade = target.transaction;
    if (upgrade) {
      try {
        upgrade.abort(); // which closes the connection
      } catch {
        // already over
      }
    } else {
      const result = safeResult(target);
      if (result instanceof IDBDatabase) result.close();
    }
  }
  return original.call(target, event);
}

/** An open request that never answers (what a dead instance's opens wait on). */
function neverAnsweredOpen(): IDBOpenDBRequest {
  return {
    readyState: 'pending',
    transaction: null,
    onblocked: null,
    onupgradeneeded: null,
    onsuccess: null,
    onerror: null,
  } as unknown as IDBOpenDBRequest;
}

function patch<T extends object, K extends keyof T & string>(
  proto: T,
  key: K,
  wrap: (original: Member) => Member,
): () => void {
  const own = Object.getOwnPropertyDescriptor(proto, key);
  const original = proto[key] as unknown as Member;
  Object.defineProperty(proto, key, { value: wrap(original), configurable: true, writable: true });
  return () => {
    if (own) Object.defineProperty(proto, key, own);
    else delete proto[key];
  };
}
