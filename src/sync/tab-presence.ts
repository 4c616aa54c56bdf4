import type { ConnectionKind } from '../listeners/pull-signal.js';
import { Multicast } from '../rx/multicast.js';
import type { Observable, Subscribable, Subscription } from '../rx/observable.js';
import { distinct } from '../rx/operators.js';
import type { TabChannel } from './tab-channel.js';

/**
 * What the tabs of one live-synced database tell each other. Only the leading tab holds a
 * connection to the server: it announces which channel it uses (every tab shows it as its
 * `connection$`), and it keeps the connection while ANY tab is visible, not only itself (a
 * background leader must not go deaf while the user looks at another tab). A tab that closes says
 * it is hidden; one that dies without saying so counts as visible, which only keeps the channel open.
 */
export class TabPresence {
  readonly #connection = new Multicast<ConnectionKind>('offline');
  readonly #anyVisible = new Multicast(true);
  /** The other tabs' visibility, by tab id. */
  readonly #others = new Map<string, boolean>();
  readonly #subscriptions: Subscription[] = [];
  #ownVisible = true;
  #channel: TabChannel | undefined;

  /** The leader's channel, in this tab and the others; `offline` before it is known. */
  readonly connection$: Observable<ConnectionKind> = distinct(this.#connection.asObservable());
  /** True while this tab or another one of the database is visible. */
  readonly anyTabVisible$: Observable<boolean> = distinct(this.#anyVisible.asObservable());

  readonly #tab: string;
  readonly #isLeader: () => boolean;

  constructor(tab: string, isLeader: () => boolean) {
    this.#tab = tab;
    this.#isLeader = isLeader;
  }

  /** Starts following the other tabs (over `channel`) and this tab's visibility; asks the others for theirs. */
  join(channel: TabChannel | undefined, visible$: Subscribable<boolean>): void {
    this.#channel = channel;
    if (channel !== undefined) {
      this.#subscriptions.push(
        channel.messages$.subscribe((message) => {
          switch (message.type) {
            case 'connection':
              if (!this.#isLeader()) this.#connection.next(message.kind);
              return;
            case 'visibility':
              if (message.tab === this.#tab) return;
              this.#others.set(message.tab, message.visible);
              this.#update();
              return;
            case 'presence?':
              this.#announce();
              return;
          }
        }),
      );
    }
    this.#subscriptions.push(
      distinct(visible$).subscribe((visible) => {
        this.#ownVisible = visible;
        channel?.post({ type: 'visibility', tab: this.#tab, visible });
        this.#update();
      }),
    );
    channel?.post({ type: 'presence?' });
  }

  /** The leading tab's own channel: shown here and announced to every tab. */
  setConnection(kind: ConnectionKind): void {
    this.#connection.next(kind);
    this.#channel?.post({ type: 'connection', kind });
  }

  /** Says goodbye (this tab no longer counts as visible) and completes the streams. */
  leave(): void {
    for (const subscription of this.#subscriptions) subscription.unsubscribe();
    this.#channel?.post({ type: 'visibility', tab: this.#tab, visible: false });
    this.#connection.next('offline');
    this.#connection.complete();
    this.#anyVisible.complete();
  }

  #announce(): void {
    this.#channel?.post({ type: 'visibility', tab: this.#tab, visible: this.#ownVisible });
    if (this.#isLeader()) this.#channel?.post({ type: 'connection', kind: this.#connection.value });
  }

  #update(): void {
    this.#anyVisible.next(this.#ownVisible || [...this.#others.values()].some(Boolean));
  }
}
