import { describe, expectTypeOf, it } from 'vitest';
import type { IdbSyncErrorCode, IdbSyncErrorMap } from './error-map.js';
import { type IdbSyncError, isIdbSyncError } from './idb-sync-error.js';
import type { InvalidResponseProblem } from './invalid-response-error.js';
import type { NetworkError } from './network-error.js';
import type { UpgradeBlockedError } from './upgrade-blocked-error.js';

describe('isIdbSyncError', () => {
  it('narrows to the base class without a code', () => {
    const error: unknown = undefined;
    if (isIdbSyncError(error)) {
      expectTypeOf(error).toEqualTypeOf<IdbSyncError>();
      expectTypeOf(error.code).toEqualTypeOf<IdbSyncErrorCode>();
    }
  });

  it('narrows to the class of the code, with its context fields', () => {
    const error: unknown = undefined;
    if (isIdbSyncError(error, 'UPGRADE_BLOCKED')) {
      expectTypeOf(error).toEqualTypeOf<UpgradeBlockedError>();
      expectTypeOf(error.timeoutMs).toEqualTypeOf<number>();
      expectTypeOf(error.code).toEqualTypeOf<'UPGRADE_BLOCKED'>();
    }
    if (isIdbSyncError(error, 'NETWORK_ERROR')) expectTypeOf(error).toEqualTypeOf<NetworkError>();
    if (isIdbSyncError(error, 'INVALID_RESPONSE')) {
      expectTypeOf(error.problem).toEqualTypeOf<InvalidResponseProblem>();
    }
  });

  it('refuses a code that is not an idb-sync error code', () => {
    // @ts-expect-error: misspelt code
    isIdbSyncError(new Error('x'), 'UPGRADE_BLOKED');
  });

  it('maps every code to the class whose code it is', () => {
    type Mismatched = {
      [C in IdbSyncErrorCode]: IdbSyncErrorMap[C]['code'] extends C ? never : C;
    }[IdbSyncErrorCode];
    expectTypeOf<Mismatched>().toBeNever();
  });

  it('lets an app switch on the code exhaustively', () => {
    const describe = (error: IdbSyncError): string => {
      switch (error.code) {
        case 'UPGRADE_BLOCKED':
          return 'blocked';
        default:
          return error.code;
      }
    };
    expectTypeOf(describe).returns.toEqualTypeOf<string>();
  });
});
