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
import { parseCapabilities, parsePullResponse, parsePushResponse } from './parse-response.js';
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
  const client = createHttpClient(options);
  return {
    async capabilities(signal?: AbortSignal): Promise<Capabilities> {
      const endpoint = PROTOCOL_PATHS.capabilities;
      const answer = await client.send({ endpoint, method: 'get', signal });
      return parseCapabilities(await answer.json(), { endpoint, status: answer.response.status });
    },
    async pull(request: PullRequest, signal?: AbortSignal): Promise<PullResponse> {
      const endpoint = PROTOCOL_PATHS.pull;
      const answer = await client.send({
        endpoint,
        method: 'post',
        json: request,
        signal,
        collection: request.collection,
      });
      return parsePullResponse(await answer.json(), request, { endpoint, status: answer.response.status });
    },
    async push(request: PushRequest, signal?: AbortSignal): Promise<PushResponse> {
      const endpoint = PROTOCOL_PATHS.push;
      const answer = await client.send({ endpoint, method: 'post', json: request, signal });
      return parsePushResponse(await answer.json(), request, { endpoint, status: answer.response.status });
    },
    events(): Observable<ServerEvent> {
      return sseEvents(client);
    },
  };
}
