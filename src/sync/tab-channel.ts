import type { ConnectionKind } from '../listeners/pull-signal.js';
import { Observable } from '../rx/observable.js';
import { share } from '../rx/operators.js';

/**
 * Messages between the tabs (clients) syncing one database. Record changes and local writes travel
 * on the database handle's own channel (its `changes$`).
 */
export type TabMessage =
  /** A fallback lock record was released: waiting tabs try again at once. */
  | { readonly type: 'lock-released'; readonly key: string }
  /** The leading tab hears server changes over `kind` (the other tabs show it as their `connection$`). */
  | { readonly type: 'connection'; readonly kind: ConnectionKind }
  /** A tab became visible or hidden (the leader keeps its connection while any tab is visible). */
  | { readonly type: 'visibility'; readonly tab: string; readonly visible: boolean }
  /** A tab joined: the others say whether they are visible, the leader which channel it uses. */
  | { readonly type: 'presence?' }
  /** A run changed the skipped-records log. */
  | { readonly type: 'skipped' };

/** A BroadcastChannel for one database, opened when a client starts and closed when it stops. */
export interface TabChannel {
  post(message: TabMessage): void;
  readonly messages$: Observable<TabMessage>;
  close(): void;
}

/** Opens the channel, or returns `undefined` where BroadcastChannel does not exist (one tab only). */
export function openTabChannel(name: string): TabChannel | undefined {
  if (typeof BroadcastChannel === 'undefined') return undefined;
  const channel = new BroadcastChannel(name);
  let closed = false;
  const messages$ = share(
    new Observable<TabMessage>((subscriber) => {
      const listener = (event: MessageEvent<TabMessage>) => subscriber.next(event.data);
      channel.addEventListener('message', listener);
      return () => channel.removeEventListener('message', listener);
    }),
  );
  return {
    post(message) {
      if (closed) return;
      try {
        channel.postMessage(message);
      } catch {
        // A value that cannot be cloned (or a closing channel) must not fail the write that announced it.
      }
    },
    messages$,
    close() {
      closed = true;
      channel.close();
    },
  };
}
