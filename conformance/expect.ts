import { ERROR_CODES, type ErrorBody, type ErrorCode, errorBodySchema } from '../src/protocol/error-codes.js';
import { fail } from './check.js';
import { codeSuffix } from './protocol-client.js';
import type { Reply } from './wire.js';

/**
 * The answer must be the documented error: `code` with its HTTP status from the protocol's table,
 * an `ErrorBody` with `protocolVersion: 1`. Returns the body.
 */
export function expectError(answer: Reply, code: ErrorCode, what: string): ErrorBody {
  const status = ERROR_CODES[code].status;
  const parsed = errorBodySchema.safeParse(answer.json);
  if (answer.status !== status || !parsed.success || parsed.data.error.code !== code) {
    fail(
      what,
      `${status} ${code}`,
      `${answer.status}${codeSuffix(answer) || (parsed.success ? '' : ' without an error body')}`,
      answer.exchange,
    );
  }
  if (parsed.data.protocolVersion !== 1) {
    fail(
      what,
      'protocolVersion: 1 in the error body',
      `protocolVersion: ${parsed.data.protocolVersion}`,
      answer.exchange,
    );
  }
  return parsed.data;
}

/** Like {@link expectError}, accepting any of `codes` (where the protocol leaves a choice). */
export function expectOneOfErrors(answer: Reply, codes: readonly ErrorCode[], what: string): ErrorBody {
  const parsed = errorBodySchema.safeParse(answer.json);
  const code = parsed.success ? parsed.data.error.code : undefined;
  const match = codes.find((c) => c === code && ERROR_CODES[c].status === answer.status);
  if (match === undefined || !parsed.success) {
    fail(
      what,
      codes.map((c) => `${ERROR_CODES[c].status} ${c}`).join(' or '),
      `${answer.status}${codeSuffix(answer)}`,
      answer.exchange,
    );
  }
  return parsed.data;
}

/** The `details` of an error body must hold `expected` (a subset match). */
export function expectDetails(
  body: ErrorBody,
  expected: Record<string, unknown>,
  what: string,
  answer: Reply,
): void {
  const details = body.error.details ?? {};
  const wrong = Object.entries(expected).filter(([key, value]) => details[key] !== value);
  if (wrong.length > 0) {
    fail(
      what,
      `details ${JSON.stringify(expected)}`,
      `details ${JSON.stringify(Object.fromEntries(wrong.map(([key]) => [key, details[key]])))}`,
      answer.exchange,
    );
  }
}
