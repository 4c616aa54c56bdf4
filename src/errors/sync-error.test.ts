import { describe, expect, it } from 'vitest';
import { isSyncError, SyncError } from './sync-error.js';
import { isUpgradeBlockedError, UpgradeBlockedError } from './upgrade-blocked-error.js';

describe('error family', () => {
  it('gives each kind a stable name and code and keeps it recognisable by guards', () => {
    const error = new UpgradeBlockedError('app', 3, 100);
    expect(error).toBeInstanceOf(SyncError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('UpgradeBlockedError');
    expect(error.code).toBe('UPGRADE_BLOCKED');
    expect(isSyncError(error)).toBe(true);
    expect(isUpgradeBlockedError(error)).toBe(true);
    expect(isUpgradeBlockedError(new Error('x'))).toBe(false);
    expect(isSyncError({ code: 'UPGRADE_BLOCKED', name: 'UpgradeBlockedError' })).toBe(false);
  });

  it('recognises an error from another copy of the library by its brand, name and code', () => {
    const brand = Symbol.for('idb-sync.error');
    const foreign = Object.assign(new Error('other realm'), {
      name: 'UpgradeBlockedError',
      code: 'UPGRADE_BLOCKED',
      [brand]: true,
    });
    expect(isSyncError(foreign)).toBe(true);
    expect(isUpgradeBlockedError(foreign)).toBe(true);
  });
});
