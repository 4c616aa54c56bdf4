import { errorBodySchema } from '../src/protocol/error-codes.js';
import {
  type MutationResult,
  type PullRequest,
  type PullResponse,
  type PushRequest,
  pullResponseSchema,
  pushResponseSchema,
} from '../src/protocol/messages.js';
import type { Validator } from '../src/protocol/schema.js';
import { PROTOCOL_HEADERS, PROTOCOL_LIMITS, PROTOCOL_PATHS } from '../src/protocol/version.js';
import { fail } from './check.js';
import type { Exchange } from './exchange.js';
import type { Answer, SendOptions, Wire } from './wire.js';

/** Most pages one `pullAll` reads before deciding the server never says `moreAvailable: false`. */
const MAX_PAGES = 5000;

/**
 * Speaks the protocol as one user (token) with one schema version, over plain HTTP. The raw calls
 * (`pull`, `push`, `send`) return whatever came back; the `…Ok` calls also check the answer is a
 * valid 200 and fail the check otherwise.
 */
export class ProtocolClient {
  constructor(
    readonly wire: Wire,
    readonly token: string | undefined,
    readonly schemaVersion: number | undefined,
  ) {}

  /** The same user with another schema version (`undefined`: no header at all). */
  withSchemaVersion(schemaVersion: number | undefined): ProtocolClient {
    return new ProtocolClient(this.wire, this.token, schemaVersion);
  }

  /** The same schema version with another token (`undefined`: no `Authorization` header). */
  withToken(token: string | undefined): ProtocolClient {
    return new ProtocolClient(this.wire, token, this.schemaVersion);
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      ...(this.token === undefined ? {} : { authorization: `Bearer ${this.token}` }),
      ...(this.schemaVersion === undefined
        ? {}
        : { [PROTOCOL_HEADERS.schemaVersion]: String(this.schemaVersion) }),
      ...extra,
    };
  }

  send(method: string, path: string, options: SendOptions = {}): Promise<Answer> {
    return this.wire.send(method, path, { ...options, headers: this.headers(options.headers) });
  }

  pull(body: PullRequest | string | Record<string, unknown>): Promise<Answer> {
    return this.send('POST', PROTOCOL_PATHS.pull, { body });
  }

  push(body: PushRequest | string | Record<string, unknown>): Promise<Answer> {
    return this.send('POST', PROTOCOL_PATHS.push, { body });
  }

  /** One pull page, which must be a valid `200` answer for `request.collection`. */
  async pullOk(request: PullRequest, what: string): Promise<{ page: PullResponse; answer: Answer }> {
    const answer = await this.pull(request);
    const page = okBody(answer, pullResponseSchema, what, 'a PullResponse');
    if (page.collection !== request.collection) {
      fail(what, `collection "${request.collection}"`, `collection "${page.collection}"`, answer.exchange);
    }
    if (page.checkpoint.length > PROTOCOL_LIMITS.maxCheckpointLength) {
      fail(
        what,
        `a checkpoint of at most ${PROTOCOL_LIMITS.maxCheckpointLength} characters`,
        `${page.checkpoint.length} characters`,
        answer.exchange,
      );
    }
    if (page.changes.length > page.windowSize || page.windowSize > request.windowSize) {
      fail(
        what,
        `at most windowSize changes, and windowSize at most the ${request.windowSize} asked for`,
        `${page.changes.length} changes with windowSize ${page.windowSize}`,
        answer.exchange,
      );
    }
    if (page.mode === 'snapshot' && (page.range === undefined || page.total === undefined)) {
      fail(what, 'range and total on a snapshot page', 'a snapshot page without them', answer.exchange);
    }
    return { page, answer };
  }

  /**
   * Pulls from `checkpoint` until `moreAvailable` is false. Returns every page, the last
   * checkpoint, and the exchanges.
   */
  async pullAll(
    collection: string,
    options: { checkpoint?: string | null; windowSize?: number; filter?: PullRequest['filter'] },
    what: string,
  ): Promise<{ pages: PullResponse[]; checkpoint: string; exchanges: Exchange[] }> {
    const pages: PullResponse[] = [];
    const exchanges: Exchange[] = [];
    let checkpoint = options.checkpoint ?? null;
    for (let n = 0; n < MAX_PAGES; n++) {
      const { page, answer } = await this.pullOk(
        {
          collection,
          checkpoint,
          windowSize: options.windowSize ?? 100,
          ...(options.filter === undefined ? {} : { filter: options.filter }),
        },
        what,
      );
      pages.push(page);
      exchanges.push(answer.exchange);
      if (!page.moreAvailable) return { pages, checkpoint: page.checkpoint, exchanges };
      checkpoint = page.checkpoint;
    }
    return fail(
      what,
      `moreAvailable: false within ${MAX_PAGES} pages`,
      'moreAvailable: true on every page',
      ...exchanges.slice(-3),
    );
  }

  /** A push that must be answered `200` with one valid result per mutation, in request order. */
  async pushOk(request: PushRequest, what: string): Promise<{ results: MutationResult[]; answer: Answer }> {
    const answer = await this.push(request);
    return { results: checkPushAnswer(answer, request, what), answer };
  }
}

/** Checks a push answer: `200`, a valid PushResponse, one result per mutation in request order. */
export function checkPushAnswer(answer: Answer, request: PushRequest, what: string): MutationResult[] {
  const body = okBody(answer, pushResponseSchema, what, 'a PushResponse');
  const sent = request.mutations.map((m) => m.mutationId);
  const got = body.results.map((r) => r.mutationId);
  if (sent.join() !== got.join()) {
    fail(what, `results for mutation ids [${sent}] in that order`, `[${got}]`, answer.exchange);
  }
  return body.results;
}

/** The body of a `200` answer parsed with `schema`, or the check fails saying what came instead. */
export function okBody<T>(answer: Answer, schema: Validator<T>, what: string, name: string): T {
  if (answer.status !== 200) {
    fail(what, `200 with ${name}`, `${answer.status}${codeSuffix(answer)}`, answer.exchange);
  }
  const parsed = schema.safeParse(answer.json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
      .join('; ');
    fail(
      what,
      `a body matching ${name}`,
      answer.json === undefined ? 'a body that is not JSON' : issues,
      answer.exchange,
    );
  }
  return parsed.data;
}

/** ` UNKNOWN_COLLECTION` when the answer is an error body, else ''. */
export function codeSuffix(answer: Pick<Answer, 'json'>): string {
  const code = errorCode(answer);
  return code === undefined ? '' : ` ${code}`;
}

/** The `error.code` of an error body, if the answer is one. */
export function errorCode(answer: Pick<Answer, 'json'>): string | undefined {
  const parsed = errorBodySchema.safeParse(answer.json);
  return parsed.success ? parsed.data.error.code : undefined;
}
