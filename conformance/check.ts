import type { CheckContext } from './context.js';
import type { Exchange } from './exchange.js';

/** What a check needs beyond one user's token; without it the check is skipped, never passed. */
export type Need =
  /** A collection the user may push to (not read-only). */
  | 'writable'
  /** A per-user (`scope: "user"`) writable collection. */
  | 'userScoped'
  /** A second user's token. */
  | 'secondUser'
  /** A read-only collection in the capabilities. */
  | 'readOnlyCollection'
  /** A second collection the user may pull. */
  | 'otherCollection'
  /** The `putRecord`/`deleteRecord` hooks (server-side edits). */
  | 'serverWrites'
  /** The `purgeTombstones` hook (forces `RESET_REQUIRED`). */
  | 'purge'
  /** The `revokeToken` hook. */
  | 'revoke'
  /** Another instance of the same deployment (`peers`). */
  | 'peer'
  /** `sse` in the capabilities' transports. */
  | 'sse'
  /** `websocket` in the capabilities' transports (and a WebSocket client: Node 22+ or the `ws` package). */
  | 'websocket';

/** Groups in report order. */
export const GROUPS = [
  'capabilities',
  'paging',
  'checkpoints',
  'exactly-once',
  'conflicts',
  'tombstones',
  'schema-versions',
  'auth',
  'bad-input',
  'sse',
  'websocket',
  'concurrency',
  'scale-out',
  'conventions',
] as const;
/** The group of a check: `capabilities`, `paging`, `checkpoints`, …, in report order. */
export type Group = (typeof GROUPS)[number];

/** One promise of docs/protocol.md, checked over the wire. */
export interface Check {
  /** Stable id, `group.name`, e.g. `paging.snapshot-order`; `--only` matches it or its group. */
  id: string;
  group: Group;
  /** The promise, in a sentence ("a snapshot is ordered by id …"). */
  title: string;
  /** Where docs/protocol.md makes the promise (a heading anchor). */
  doc: string;
  needs?: readonly Need[];
  run(ctx: CheckContext): Promise<void>;
}

/** A broken promise: what was expected, what was seen, and the exchanges that show it. */
export class CheckFailure extends Error {
  override readonly name = 'CheckFailure';
  constructor(
    /** What the kit was doing ("retrying the push with the same mutation ids"). */
    readonly what: string,
    readonly expected: string,
    readonly seen: string,
    readonly exchanges: readonly Exchange[] = [],
  ) {
    super(`${what}: expected ${expected}; saw ${seen}`);
  }
}

/** A check that cannot run against this server (a missing input, a setting that makes it moot). */
export class CheckSkipped extends Error {
  override readonly name = 'CheckSkipped';
}

/** Ends the check as failed. */
export function fail(what: string, expected: string, seen: string, ...exchanges: Exchange[]): never {
  throw new CheckFailure(what, expected, seen, exchanges);
}

/** Ends the check as skipped, with the reason shown in the report. */
export function skip(reason: string): never {
  throw new CheckSkipped(reason);
}

/** Defines a check (identity: for type inference). */
export function check(definition: Check): Check {
  return definition;
}
