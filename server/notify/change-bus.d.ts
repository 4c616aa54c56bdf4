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
export declare class ChangeBus {
    #private;
    /** Calls `listener` for every change until the returned function is called. */
    subscribe(listener: (event: ChangeEvent) => void): () => void;
    publish(event: ChangeEvent): void;
    get size(): number;
}
