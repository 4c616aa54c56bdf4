import type { DBSchema, StoreKey, StoreNames } from 'idb';
import { Multicast } from '../rx/multicast.js';
import { Observable } from '../rx/observable.js';

/**
 * Where a change comes from: `local`, a write through this handle (this tab); `tab`, a write made
 * through a handle on the same database in another tab (heard over BroadcastChannel); `remote`, a
 * change from the server (a pull, a conflict resolution, the rollback of a refused write), made by
 * the sync client of this tab or of another one.
 */
export type ChangeOrigin = 'local' | 'tab' | 'remote';

/** One record change of one store. */
export interface StoreChange<N extends string = string, K = IDBValidKey> {
  /** The store of the record. */
  readonly store: N;
  /** `put` (created or replaced) or `delete`. */
  readonly type: 'put' | 'delete';
  /** The record's key. */
  readonly key: K;
  /** Where the change came from: this handle, another tab, or the server. */
  readonly origin: ChangeOrigin;
}

/**
 * A record change announced by `changes$`, typed per store from the schema: `store` narrows `key`.
 * Values are not included: read the record if you need it (another tab's change may be older than
 * what is stored by the time it arrives).
 */
export type DatabaseChange<S = unknown> = unknown extends S
  ? StoreChange
  : S extends DBSchema
    ? { [N in StoreNames<S> & string]: StoreChange<N, StoreKey<S, N>> }[StoreNames<S> & string]
    : StoreChange;

/** A change as written, before it is given its origin. */
export interface WrittenChange {
  readonly store: string;
  readonly type: 'put' | 'delete';
  readonly key: IDBValidKey;
}

interface ChangesMessage {
  readonly type: 'changes';
  readonly origin: 'local' | 'remote';
  readonly changes: readonly WrittenChange[];
}

/**
 * The handle's `changes$`: changes written through it, changes announced by the sync client, and
 * (over a BroadcastChannel named `idb-sync:changes:<database>`) those of the other tabs. The
 * channel is opened by the first subscription or the first announcement, never at import or
 * creation, and closed by {@link close} (reopened when needed again).
 */
export class ChangeHub {
  readonly #name: string;
  readonly #subject = new Multicast<StoreChange>();
  #channel: BroadcastChannel | undefined;
  #subscribers = 0;
  readonly changes$: Observable<StoreChange>;

  constructor(database: string) {
    this.#name = `idb-sync:changes:${database}`;
    this.changes$ = new Observable<StoreChange>((subscriber) => {
      this.#subscribers += 1;
      this.#open();
      const subscription = this.#subject.asObservable().subscribe(subscriber);
      return () => {
        subscription.unsubscribe();
        this.#subscribers -= 1;
      };
    });
  }

  /** Emits committed changes here and announces them to the other tabs. */
  announce(changes: readonly WrittenChange[], origin: 'local' | 'remote'): void {
    if (changes.length === 0) return;
    for (const change of changes) this.#subject.next({ ...change, origin });
    const channel = this.#open();
    if (channel === undefined) return;
    try {
      const message: ChangesMessage = { type: 'changes', origin, changes };
      channel.postMessage(message);
    } catch {
      // A key that cannot be cloned (or a closing channel) must not fail the write that announced it.
    }
  }

  /** Closes the channel; a later subscription or announcement opens it again. */
  close(): void {
    this.#channel?.close();
    this.#channel = undefined;
  }

  /** Reopens the channel after {@link close} when somebody still listens. */
  resume(): void {
    if (this.#subscribers > 0) this.#open();
  }

  #open(): BroadcastChannel | undefined {
    if (this.#channel !== undefined) return this.#channel;
    if (typeof BroadcastChannel === 'undefined') return undefined;
    const channel = new BroadcastChannel(this.#name);
    // Node keeps a process alive for a channel with a listener; a browser has no `unref`.
    (channel as { unref?: () => void }).unref?.();
    channel.onmessage = (event: MessageEvent<ChangesMessage>) => {
      const data = event.data;
      if (data?.type !== 'changes' || !Array.isArray(data.changes)) return;
      const origin = data.origin === 'remote' ? 'remote' : 'tab';
      for (const change of data.changes) this.#subject.next({ ...change, origin });
    };
    this.#channel = channel;
    return channel;
  }
}
