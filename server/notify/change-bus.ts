/** A committed change: `(collection, owner)` reached change-log position `seq`. Owner '' is shared. */
export interface ChangeEvent {
  collection: string;
  owner: string;
  seq: number;
}

/**
 * In-process fan-out of committed changes to SSE and WebSocket sessions. Publishers call it after
 * COMMIT, never inside a transaction, so a poke never announces a change a pull cannot see yet.
 * (Several server processes would relay these through PostgreSQL LISTEN/NOTIFY; see docs/server.md.)
 */
export class ChangeBus {
  readonly #listeners = new Set<(event: ChangeEvent) => void>();

  /** Calls `listener` for every change until the returned function is called. */
  subscribe(listener: (event: ChangeEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  publish(event: ChangeEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // One broken session must not keep the others from hearing about the change.
      }
    }
  }

  get size(): number {
    return this.#listeners.size;
  }

  readonly #revocations = new Set<(userId: string) => void>();

  /** Calls `listener` with the user id whenever some of a user's tokens are revoked. */
  subscribeRevocations(listener: (userId: string) => void): () => void {
    this.#revocations.add(listener);
    return () => this.#revocations.delete(listener);
  }

  /** Tells open sessions that tokens of `userId` were revoked: they re-check theirs now. */
  publishRevocation(userId: string): void {
    for (const listener of this.#revocations) {
      try {
        listener(userId);
      } catch {
        // As for changes: one broken session must not keep the others from hearing it.
      }
    }
  }
}
