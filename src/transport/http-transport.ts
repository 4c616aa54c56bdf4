import type {
  Capabilities,
  PullRequest,
  PullResponse,
  PushRequest,
  PushResponse,
} from '../protocol/messages.js';
import { PROTOCOL_PATHS } from '../protocol/version.js';
import type { Observable } from '../rx/observable.js';
import { createHttpClient, type HttpClientOptions } from './http-client.js';
import {
  type AnswerContext,
  parseCapabilities,
  parsePullResponse,
  parsePushResponse,
} from './parse-response.js';
import { sseEvents } from './sse-events.js';
import type { ServerEvent, ServerEventSource, SyncTransport } from './sync-transport.js';

/** Options of {@link createHttpTransport}. */
export interface HttpTransportOptions extends HttpClientOptions {}

/** The HTTP transport: the three requests plus the SSE change-notification stream. */
export interface HttpSyncTransport extends SyncTransport, ServerEventSource {
  /** The server's events over Server-Sent Events (`GET /v1/events`). */
  events(): Observable<ServerEvent>;
}

/**
 * The sync transport over HTTP, on fetch: `GET /v1/capabilities`, `POST /v1/pull`, `POST /v1/push`,
 * and `events()` reading `GET /v1/events` (Server-Sent Events over fetch, so the `Authorization`
 * header is sent and never put in a URL). Each attempt has a time limit, failures are retried
 * (honouring `Retry-After`), a 401 triggers one `getToken({ forceRefresh: true })` and a retry,
 * and every answer is validated with the protocol's schemas before it is returned.
 *
 * @example
 * const transport = createHttpTransport({
 *   baseUrl: 'https://sync.example.com',
 *   schemaVersion: 3,
 *   getToken: ({ forceRefresh }) => auth.token({ forceRefresh }),
 * });
 * const page = await transport.pull({ collection: 'service_types', checkpoint: null, windowSize: 500 });
 */
export function createHttpTransport(options: HttpTransportOptions): HttpSyncTransport {
  const send = createHttpClient(options);
  /** Sends one request (a `POST` of `json`, else a `GET`) and validates its answer with `parse`. */
  const request = async <T>(
    endpoint: string,
    parse: (body: unknown, context: AnswerContext) => T,
    signal: AbortSignal | undefined,
    json?: PullRequest | PushRequest,
    collection?: string,
  ): Promise<T> => {
    const answer = await send({ endpoint, json, signal, collection });
    return parse(await answer.json(), { endpoint, status: answer.response.status });
  };
  return {
    capabilities: (signal?: AbortSignal): Promise<Capabilities> =>
      request(PROTOCOL_PATHS.capabilities, parseCapabilities, signal),
    pull: (pull: PullRequest, signal?: AbortSignal): Promise<PullResponse> =>
      request(
        PROTOCOL_PATHS.pull,
        (body, context) => parsePullResponse(body, pull, context),
        signal,
        pull,
        pull.collection,
      ),
    push: (push: PushRequest, signal?: AbortSignal): Promise<PushResponse> =>
      request(PROTOCOL_PATHS.push, (body, context) => parsePushResponse(body, push, context), signal, push),
    events: (): Observable<ServerEvent> => sseEvents(send),
  };
}
