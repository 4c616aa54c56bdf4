import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { IdbSyncError, isIdbSyncError } from './idb-sync-error.js';
import { NetworkError } from './network-error.js';
import { UpgradeBlockedError } from './upgrade-blocked-error.js';

describe('error family', () => {
  it('gives each kind a stable name and code and recognises it by its code', () => {
    const error = new UpgradeBlockedError('app', 3, 100);
    expect(error).toBeInstanceOf(IdbSyncError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('UpgradeBlockedError');
    expect(error.code).toBe('UPGRADE_BLOCKED');
    expect(isIdbSyncError(error)).toBe(true);
    expect(isIdbSyncError(error, 'UPGRADE_BLOCKED')).toBe(true);
    expect(isIdbSyncError(error, 'NETWORK_ERROR')).toBe(false);
    expect(isIdbSyncError(new NetworkError('/v1/pull', 'timeout'), 'UPGRADE_BLOCKED')).toBe(false);
  });

  it('does not take plain errors or look-alike objects for its own', () => {
    expect(isIdbSyncError(new Error('x'))).toBe(false);
    expect(
      isIdbSyncError(Object.assign(new Error('x'), { code: 'UPGRADE_BLOCKED' }), 'UPGRADE_BLOCKED'),
    ).toBe(false);
    expect(isIdbSyncError({ code: 'UPGRADE_BLOCKED', name: 'UpgradeBlockedError' })).toBe(false);
    const brandedPlainObject = { code: 'UPGRADE_BLOCKED', [Symbol.for('idb-sync.error')]: true };
    expect(isIdbSyncError(brandedPlainObject)).toBe(false);
    expect(isIdbSyncError(null)).toBe(false);
    expect(isIdbSyncError('UPGRADE_BLOCKED')).toBe(false);
  });

  it('recognises an error from another copy of the library by its brand and code', () => {
    const brand = Symbol.for('idb-sync.error');
    const foreign = Object.assign(new Error('other copy'), {
      name: 'UpgradeBlockedError',
      code: 'UPGRADE_BLOCKED',
      [brand]: true,
    });
    expect(isIdbSyncError(foreign)).toBe(true);
    expect(isIdbSyncError(foreign, 'UPGRADE_BLOCKED')).toBe(true);
    expect(isIdbSyncError(foreign, 'DATABASE_CLOSED')).toBe(false);
  });

  it('recognises an error made in another realm (an iframe), where instanceof Error fails', () => {
    // Symbol.for is shared across realms, as the brand of another copy of the library would be.
    const foreign: unknown = runInNewContext(
      `const e = new Error('other realm');
       e.name = 'UpgradeBlockedError';
       e.code = 'UPGRADE_BLOCKED';
       Object.defineProperty(e, Symbol.for('idb-sync.error'), { value: true });
       e`,
    );
    expect(foreign instanceof Error).toBe(false);
    expect(isIdbSyncError(foreign, 'UPGRADE_BLOCKED')).toBe(true);
    expect(isIdbSyncError(foreign, 'NETWORK_ERROR')).toBe(false);
  });
});
