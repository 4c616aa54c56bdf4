import { IdbSyncError } from './idb-sync-error.js';

/** What was wrong with a server answer. */
export type InvalidResponseProblem =
  /** The body is not JSON (an HTML page from a proxy or captive portal, a truncated body). */
  | 'not-json'
  /** JSON, but not the protocol's message: missing fields, wrong types (`issues` says where). */
  | 'schema'
  /** A pull page with more changes than the `windowSize` asked for. */
  | 'oversized-page'
  /** A valid message that does not answer the request (another collection, wrong number of push results). */
  | 'mismatch'
  /** The answer speaks another protocol version. */
  | 'protocol-version'
  /** The change-notification stream is not `text/event-stream`, or sends an event larger than 1 MiB. */
  | 'not-event-stream';

/** Where a response failed validation; never contains the received values. */
export interface InvalidResponseIssue {
  /** Path inside the body, e.g. `['changes', 3, 'rev']`. */
  readonly path: readonly PropertyKey[];
  /** What was expected there. */
  readonly message: string;
}

/**
 * The server (or something in between) answered with something that is not a valid protocol
 * message. Nothing of the answer is used: no half-parsed page ever reaches the database. Not
 * retryable as such (a proxy page or a server bug); the listeners back off before the next try.
 */
export class InvalidResponseError extends IdbSyncError {
  override readonly name = 'InvalidResponseError' as const;
  readonly code = 'INVALID_RESPONSE' as const;
  /** Not by itself; a later try may reach a healthy server. */
  readonly retryable = false as const;
  /** Never set; present so every transport error has the same shape. */
  readonly retryAfterMs: number | undefined = undefined;

  /** The protocol endpoint that was called, e.g. `/v1/pull`. */
  declare readonly endpoint: string;
  /** HTTP status of the answer (0 over WebSocket). */
  declare readonly status: number;
  /** What was wrong. */
  declare readonly problem: InvalidResponseProblem;
  /** Where validation failed, for `schema` (paths and expectations, never values). */
  declare readonly issues: readonly InvalidResponseIssue[];

  constructor(
    endpoint: string,
    status: number,
    problem: InvalidResponseProblem,
    issues: readonly InvalidResponseIssue[] = [],
    options?: { cause?: unknown },
  ) {
    super(`Invalid answer from ${endpoint} (${status}): ${explain(problem, issues)}`, options);
    this.endpoint = endpoint;
    this.status = status;
    this.problem = problem;
    this.issues = issues;
  }
}

function explain(problem: InvalidResponseProblem, issues: readonly InvalidResponseIssue[]): string {
  switch (problem) {
    case 'not-json':
      return 'the body is not JSON';
    case 'schema': {
      const first = issues[0];
      const where =
        first === undefined ? '' : ` at ${first.path.map(String).join('.') || '(root)'}: ${first.message}`;
      return `the body is not a valid protocol message${where}`;
    }
    case 'oversized-page':
      return 'the page holds more changes than the window size asked for';
    case 'mismatch':
      return 'the message does not answer the request';
    case 'protocol-version':
      return 'the server speaks another protocol version';
    case 'not-event-stream':
      return 'the body is not an event stream';
  }
}
