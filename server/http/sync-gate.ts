import type { Validator } from '../../src/protocol/schema.js';
import type { AuthUser } from '../config.js';
import { ProtocolError } from '../sync/protocol-error.js';
import { tooManyMutations } from '../sync/push.js';
import type { Runtime } from '../sync/runtime.js';

/** Resolves a bearer token through the configured hook; no or unknown token is `UNAUTHORIZED`. */
export async function authenticate(runtime: Runtime, token: string | undefined): Promise<AuthUser> {
  if (token === undefined || token === '') {
    throw new ProtocolError('UNAUTHORIZED', 'Missing bearer token');
  }
  const user = await runtime.options.authenticate!(token);
  if (user === null) throw new ProtocolError('UNAUTHORIZED', 'Unknown or revoked token');
  return user;
}

/**
 * Parses a JSON text against a protocol schema: `MALFORMED_JSON`, `INVALID_WINDOW_SIZE` (a bad
 * `windowSize` gets its own code) or `INVALID_REQUEST` with the paths of the problems (never the
 * values, which may be record contents).
 */
export function parseBody<T>(schema: Validator<T>, text: string, precheck?: (json: unknown) => void): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ProtocolError('MALFORMED_JSON', 'The request body is not valid JSON');
  }
  precheck?.(json);
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  if (parsed.error.issues.some((i) => i.path.length === 1 && i.path[0] === 'windowSize')) {
    throw new ProtocolError(
      'INVALID_WINDOW_SIZE',
      'windowSize must be a positive integer of at most 100000',
      {
        issues,
      },
    );
  }
  throw new ProtocolError('INVALID_REQUEST', 'The request does not match the protocol', { issues });
}

/**
 * Refuses a push body with more than `max` mutations as `413 PAYLOAD_TOO_LARGE` before the schema
 * check (which would call it an invalid request, and validate every mutation first).
 */
export function limitMutations(max: number): (json: unknown) => void {
  return (json) => {
    const mutations = (json as { mutations?: unknown } | null)?.mutations;
    if (Array.isArray(mutations) && mutations.length > max) throw tooManyMutations(max);
  };
}
