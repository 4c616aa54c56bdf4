import type {
  Capabilities,
  ErrorBody,
  PullRequest,
  PullResponse,
  PushRequest,
  PushResponse,
} from '../../src/protocol/index.js';
import { PROTOCOL_HEADERS, PROTOCOL_PATHS } from '../../src/protocol/version.js';

/** An HTTP answer: status, headers and parsed JSON body. */
export interface Answer<T> {
  status: number;
  headers: Headers;
  body: T;
}

/**
 * A bare protocol client for server tests: real HTTP with fetch, no retries, no validation, so
 * tests see exactly what the server answers.
 */
export class RawProtocolClient {
  constructor(
    readonly baseUrl: string,
    readonly token: string | undefined,
    readonly schemaVersion: number | undefined = 1,
  ) {}

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      'content-type': 'application/json',
      ...(this.token === undefined ? {} : { authorization: `Bearer ${this.token}` }),
      ...(this.schemaVersion === undefined
        ? {}
        : { [PROTOCOL_HEADERS.schemaVersion]: String(this.schemaVersion) }),
      ...extra,
    };
  }

  /** Sends `body` as is (a string is sent raw, anything else as JSON). */
  async post<T>(path: string, body: unknown): Promise<Answer<T>> {
    const response = await fetch(this.baseUrl + path, {
      method: 'POST',
      headers: this.headers(),
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as T };
  }

  pull(request: PullRequest): Promise<Answer<PullResponse & ErrorBody>> {
    return this.post(PROTOCOL_PATHS.pull, request);
  }

  push(request: PushRequest): Promise<Answer<PushResponse & ErrorBody>> {
    return this.post(PROTOCOL_PATHS.push, request);
  }

  async capabilities(): Promise<Answer<Capabilities>> {
    const response = await fetch(this.baseUrl + PROTOCOL_PATHS.capabilities, { headers: this.headers() });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as Capabilities,
    };
  }

  /** Pulls a collection from `checkpoint` until `moreAvailable` is false; returns every page. */
  async pullAll(
    collection: string,
    options: { checkpoint?: string | null; windowSize?: number; filter?: PullRequest['filter'] } = {},
  ): Promise<{ pages: PullResponse[]; checkpoint: string }> {
    const pages: PullResponse[] = [];
    let checkpoint = options.checkpoint ?? null;
    for (;;) {
      const { status, body } = await this.pull({
        collection,
        checkpoint,
        windowSize: options.windowSize ?? 100,
        ...(options.filter === undefined ? {} : { filter: options.filter }),
      });
      if (status !== 200) throw new Error(`pull answered ${status} ${JSON.stringify(body)}`);
      pages.push(body);
      checkpoint = body.checkpoint;
      if (!body.moreAvailable) return { pages, checkpoint };
    }
  }
}

/** The state a client would hold after applying `pages` in order (id → value; deletes remove). */
export function applyPages(pages: PullResponse[], state = new Map<string, unknown>()): Map<string, unknown> {
  for (const page of pages) {
    for (const change of page.changes) {
      if (change.op === 'put') state.set(change.id, change.value);
      else state.delete(change.id);
    }
  }
  return state;
}
