import { isIdbSyncError } from '../errors/idb-sync-error.js';
import { InvalidResponseError } from '../errors/invalid-response-error.js';
import { NetworkError } from '../errors/network-error.js';
import { pokeSchema, SSE_EVENTS, sseHelloSchema } from '../protocol/messages.js';
import { PROTOCOL_PATHS } from '../protocol/version.js';
import { Observable } from '../rx/observable.js';
import type { HttpClient } from './http-client.js';
import { parseJsonText, validate } from './parse-response.js';
import { type SseEvent, sseParser } from './sse-parser.js';
import type { ServerEvent } from './sync-transport.js';

/** Longest SSE event we buffer; a stream sending more without a blank line is refused. */
const MAX_EVENT_CHARS = 1 << 20;

/**
 * `GET /v1/events` read over fetch (EventSource cannot send headers).
 * Cold: each subscription opens one request; unsubscribing aborts it. The stream is not retried
 * inside the request: reconnecting, with backoff, is the listeners' job.
 */
export function sseEvents(send: HttpClient): Observable<ServerEvent> {
  const endpoint = PROTOCOL_PATHS.events;
  return new Observable<ServerEvent>((subscriber) => {
    const controller = new AbortController();
    const run = async () => {
      const answer = await send({
        endpoint,
        signal: controller.signal,
        retryLimit: 0,
        accept: 'text/event-stream',
      });
      const { response } = answer;
      const status = response.status;
      const contentType = response.headers.get('content-type') ?? '';
      if (!contentType.startsWith('text/event-stream') || response.body === null) {
        void response.body?.cancel().catch(() => undefined);
        throw new InvalidResponseError(endpoint, status, 'not-event-stream');
      }
      let failure: unknown;
      const feed = sseParser((message) => {
        if (failure !== undefined) return;
        try {
          const event = toServerEvent(message, status);
          if (event !== undefined) subscriber.next(event);
        } catch (error) {
          failure = error;
        }
      }, MAX_EVENT_CHARS);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          if (!feed(value)) failure ??= new InvalidResponseError(endpoint, status, 'not-event-stream');
          if (failure !== undefined) throw failure;
        }
      } finally {
        void reader.cancel().catch(() => undefined);
      }
    };
    run().then(
      () => subscriber.complete(),
      (error: unknown) => {
        if (subscriber.closed) return;
        // A body cut off mid-stream (server killed) is a lost connection, not an unreachable server.
        subscriber.error(
          isIdbSyncError(error) ? error : new NetworkError(endpoint, 'connection-lost', { cause: error }),
        );
      },
    );
    return () => controller.abort();
  });
}

function toServerEvent(message: SseEvent, status: number): ServerEvent | undefined {
  const context = { endpoint: PROTOCOL_PATHS.events, status };
  switch (message.event) {
    case SSE_EVENTS.hello: {
      const hello = validate(sseHelloSchema, parseJsonText(message.data, context), context);
      return { type: 'open', heartbeatMs: hello.heartbeatMs };
    }
    case SSE_EVENTS.poke:
      return { type: 'poke', poke: validate(pokeSchema, parseJsonText(message.data, context), context) };
    case SSE_EVENTS.heartbeat:
      return { type: 'heartbeat' };
    default:
      // Events a newer server adds are ignored, as the protocol allows.
      return undefined;
  }
}
