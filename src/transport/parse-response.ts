import { InvalidResponseError, type InvalidResponseIssue } from '../errors/invalid-response-error.js';
import {
  type Capabilities,
  capabilitiesSchema,
  type PullRequest,
  type PullResponse,
  type PushRequest,
  type PushResponse,
  pullResponseSchema,
  pushResponseSchema,
} from '../protocol/messages.js';
import type { Schema } from '../protocol/schema.js';
import { PROTOCOL_VERSION } from '../protocol/version.js';

/** Where an answer came from, for the error it may become. */
export interface AnswerContext {
  /** Protocol endpoint, e.g. `/v1/pull`. */
  readonly endpoint: string;
  /** HTTP status, or 0 over WebSocket. */
  readonly status: number;
}

/** Parses a body's text as JSON; anything else (an HTML page, a truncated body) is `not-json`. */
export function parseJsonText(text: string, context: AnswerContext): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    // The SyntaxError quotes the body's first characters: keep only its kind as the cause.
    throw new InvalidResponseError(context.endpoint, context.status, 'not-json', [], {
      cause: new SyntaxError(error instanceof Error ? error.name : 'Invalid JSON'),
    });
  }
}

/** Validates `body` with `schema`; a mismatch is an `InvalidResponseError` naming paths, never values. */
export function validate<T>(schema: Schema<T>, body: unknown, context: AnswerContext): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issues: InvalidResponseIssue[] = result.error.issues.map((issue) => ({
    path: issue.path,
    message: issue.message,
  }));
  throw new InvalidResponseError(context.endpoint, context.status, 'schema', issues);
}

function checkVersion(protocolVersion: number, context: AnswerContext): void {
  if (protocolVersion !== PROTOCOL_VERSION) {
    throw new InvalidResponseError(context.endpoint, context.status, 'protocol-version');
  }
}

/** A capabilities answer, validated. */
export function parseCapabilities(body: unknown, context: AnswerContext): Capabilities {
  const capabilities = validate(capabilitiesSchema, body, context);
  checkVersion(capabilities.protocolVersion, context);
  return capabilities;
}

/**
 * A pull answer, validated against the request too: same collection, no more changes than the
 * window asked for (an oversized page is refused rather than written).
 */
export function parsePullResponse(body: unknown, request: PullRequest, context: AnswerContext): PullResponse {
  const response = validate(pullResponseSchema, body, context);
  checkVersion(response.protocolVersion, context);
  if (response.collection !== request.collection) {
    throw new InvalidResponseError(context.endpoint, context.status, 'mismatch');
  }
  if (response.changes.length > request.windowSize) {
    throw new InvalidResponseError(context.endpoint, context.status, 'oversized-page');
  }
  return response;
}

/** A push answer, validated against the request too: one result per mutation, same order. */
export function parsePushResponse(body: unknown, request: PushRequest, context: AnswerContext): PushResponse {
  const response = validate(pushResponseSchema, body, context);
  checkVersion(response.protocolVersion, context);
  const { results } = response;
  const { mutations } = request;
  if (
    results.length !== mutations.length ||
    results.some((result, i) => result.mutationId !== mutations[i]?.mutationId)
  ) {
    throw new InvalidResponseError(context.endpoint, context.status, 'mismatch');
  }
  return response;
}
