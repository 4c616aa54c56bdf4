/** Which side a tie rule or a last-write-wins comparison gives the record to. */
export type ConflictSide = 'server' | 'client';

/**
 * A push the server answered with `conflict`: the record changed on the server since the revision
 * the local change was based on. Values are `null` when the record is deleted on that side (or, for
 * `base`, when the local change created it).
 */
export interface Conflict<T = unknown, K extends string | number = string | number> {
  /** The collection (object store) of the record. */
  readonly store: string;
  /** The record's key (a number in a `keyType: 'number'` store). */
  readonly id: K;
  /** The local value the client tried to push (`null`: deleted locally). */
  readonly local: T | null;
  /** The server's current value (`null`: deleted on the server). */
  readonly remote: T | null;
  /** The value both sides started from, at `baseRev` (`null`: created locally, no base). */
  readonly base: T | null;
  /** The server revision the local change was based on (`null` for a local create). */
  readonly baseRev: string | null;
  /** The server's current revision of the record (`null`: the server has no trace of it). */
  readonly remoteRev: string | null;
}

/** What a strategy decided for one conflict. */
export interface ConflictResolution<T = unknown> {
  /** The value to keep (`null`: the record is deleted). */
  readonly value: T | null;
  /**
   * The rule that chose the value, stable enough to group by: `server-wins`, `client-wins`,
   * `last-write-wins:server-newer`, `last-write-wins:client-newer`, `last-write-wins:tie-server`,
   * `merge`, `merge:tie-client`, `custom:<name>`, …
   */
  readonly rule: string;
  /** Whose value won: one side, a field-level merge, or a custom resolver. */
  readonly winner: ConflictSide | 'merged' | 'custom';
  /** For `merge`: the fields changed on both sides to different values, which the tie rule decided. */
  readonly conflictingFields?: readonly string[];
}

/**
 * A custom resolver: receives the conflict and returns the value to keep (`null` deletes the
 * record). May be async. Errors it throws are wrapped in a `ConflictResolverError` naming it.
 */
export type ConflictResolver<T = unknown, K extends string | number = string | number> = (
  conflict: Conflict<T, K>,
) => T | null | Promise<T | null>;

/**
 * Last write wins, by a timestamp field of the record (a number of milliseconds, an ISO date string
 * or a `Date`). When the timestamps are equal or missing (a delete has no timestamp), `tie` decides.
 */
export interface LastWriteWinsStrategy<T = unknown> {
  /** Selects this strategy. */
  readonly kind: 'last-write-wins';
  /** The record field holding its last modification time (checked against the record type when it is known). */
  readonly field: unknown extends T ? string : keyof T & string;
  /** Who wins equal or missing timestamps. Default `'server'`. */
  readonly tie?: ConflictSide;
}

/**
 * Field-level three-way merge against the base revision: a field changed on one side only takes that
 * side's value; a field changed on both sides to different values is a conflicting field, decided by
 * `tie`. A delete on either side cannot be merged field by field, so `tie` decides the whole record.
 */
export interface MergeStrategy {
  /** Selects this strategy. */
  readonly kind: 'merge';
  /** Who wins fields changed on both sides (and delete-versus-update). Default `'server'`. */
  readonly tie?: ConflictSide;
}

/** A named custom resolver; the name appears in the conflict log (`custom:<name>`) and in errors. */
export interface CustomStrategy<T = unknown, K extends string | number = string | number> {
  /** Selects this strategy. */
  readonly kind: 'custom';
  /** Name for the log and errors. Default: the function's own name, or `anonymous`. */
  readonly name?: string;
  /** Returns the record to keep, or `null` to delete it. */
  readonly resolve: ConflictResolver<T, K>;
}

/**
 * How a collection resolves push conflicts. Default `'server-wins'`.
 * - `'server-wins'`: keep the server's value, drop the local change.
 * - `'client-wins'`: keep the local value and push it again on top of the server's revision.
 * - `{ kind: 'last-write-wins', field }`, `{ kind: 'merge' }`, `{ kind: 'custom', resolve }` or a bare
 *   resolver function: see each type.
 */
export type ConflictStrategy<T = unknown, K extends string | number = string | number> =
  | 'server-wins'
  | 'client-wins'
  | LastWriteWinsStrategy<T>
  | MergeStrategy
  | CustomStrategy<T, K>
  | ConflictResolver<T, K>;
