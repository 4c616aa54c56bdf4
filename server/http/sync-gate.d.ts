import type { ZodType } from 'zod';
import type { AuthUser } from '../config.js';
import type { Runtime } from '../sync/runtime.js';
/** Resolves a bearer token through the configured hook; no or unknown token is `UNAUTHORIZED`. */
export declare function authenticate(runtime: Runtime, token: string | undefined): Promise<AuthUser>;
/**
 * Parses a JSON text against a protocol schema: `MALFORMED_JSON`, `INVALID_WINDOW_SIZE` (a bad
 * `windowSize` gets its own code) or `INVALID_REQUEST` with the paths of the problems (never the
 * values, which may be record contents).
 */
export declare function parseBody<T>(schema: ZodType<T>, text: string): T;
