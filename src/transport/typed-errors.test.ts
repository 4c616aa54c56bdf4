import { describe, expect, it } from 'vitest';
import { AuthError } from '../errors/auth-error.js';
import { IdbSyncError, isIdbSyncError } from '../errors/idb-sync-error.js';
import { InvalidResponseError } from '../errors/invalid-response-error.js';
import { NetworkError } from '../errors/network-error.js';
import { RequestRejectedError } from '../errors/request-rejected-error.js';
import { ResetRequiredError } from '../errors/reset-required-error.js';
import { ServerError } from '../errors/server-error.js';
import { UpgradeRequiredError } from '../errors/upgrade-required-error.js';

const kinds = [
  [new NetworkError('/v1/pull', 'timeout'), 'NetworkError', 'NETWORK_ERROR', true],
  [
    new ServerError('/v1/pull', 503, 'SERVER_SCHEMA_OUTDATED', true, 2000),
    'ServerError',
    'SERVER_ERROR',
    true,
  ],
  [new AuthError('/v1/push', 401, true), 'AuthError', 'AUTH_FAILED', false],
  [new ResetRequiredError('customers'), 'ResetRequiredError', 'RESET_REQUIRED', false],
  [new UpgradeRequiredError('/v1/push', 2, 'read-only'), 'UpgradeRequiredError', 'UPGRADE_REQUIRED', false],
  [
    new RequestRejectedError('/v1/pull', 404, 'UNKNOWN_COLLECTION', false, undefined),
    'RequestRejectedError',
    'REQUEST_REJECTED',
    false,
  ],
  [
    new InvalidResponseError('/v1/pull', 200, 'oversized-page'),
    'InvalidResponseError',
    'INVALID_RESPONSE',
    false,
  ],
] as const;

describe.runIf(globalThis.__IDB_BACKEND__ === 'fake-indexeddb')('transport error kinds', () => {
  it.each(kinds)(
    '%s has a stable name and code, a retryable flag, and is recognised by its code',
    (error, name, code, retryable) => {
      expect(error).toBeInstanceOf(IdbSyncError);
      expect(isIdbSyncError(error)).toBe(true);
      expect(error.name).toBe(name);
      expect(error.code).toBe(code);
      expect(error.retryable).toBe(retryable);
      expect(isIdbSyncError(error, code)).toBe(true);
      for (const [other] of kinds) if (other !== error) expect(isIdbSyncError(other, code)).toBe(false);
    },
  );

  it('recognises a kind from another copy of the library by brand, name and code', () => {
    const foreign = Object.assign(new Error('other realm'), {
      name: 'ResetRequiredError',
      code: 'RESET_REQUIRED',
      [Symbol.for('idb-sync.error')]: true,
    });
    expect(isIdbSyncError(foreign, 'RESET_REQUIRED')).toBe(true);
    expect(isIdbSyncError(foreign, 'NETWORK_ERROR')).toBe(false);
  });

  it('says where validation failed without quoting the value', () => {
    const error = new InvalidResponseError('/v1/pull', 200, 'schema', [
      { path: ['changes', 2, 'rev'], message: 'Invalid input: expected string, received number' },
    ]);
    expect(error.message).toBe(
      'Invalid answer from /v1/pull (200): the body is not a valid protocol message at changes.2.rev: Invalid input: expected string, received number',
    );
  });
});
