import { describe, expect, it } from 'vitest';
import { classifyFailure } from './classify-failure.js';

// Neither backend can abort a transaction by losing its connection (their forced close waits for
// transactions, as a normal close does), so the decision after such an abort is checked here on
// its own; the paths the backends can produce run end to end in retries-on-lost-connection.test.ts.
const context = { database: 'app', stores: ['work_orders'], operation: 'write' };
const userError = new Error('invalid');
const dom = (name: string) => new DOMException('browser text', name);

describe('classifyFailure', () => {
  it.each<[string, DOMException | null, { error: unknown } | undefined, boolean, string, boolean]>([
    [
      'Safari lost its IndexedDB server (UnknownError)',
      dom('UnknownError'),
      undefined,
      false,
      'DATABASE_CLOSED',
      true,
    ],
    ['a forced close aborted it (AbortError)', dom('AbortError'), undefined, false, 'DATABASE_CLOSED', true],
    [
      'it failed while the connection was known dead',
      dom('QuotaExceededError'),
      undefined,
      true,
      'DATABASE_CLOSED',
      true,
    ],
    ['the quota ran out', dom('QuotaExceededError'), undefined, false, 'STORAGE_QUOTA_EXCEEDED', false],
    [
      'a unique index refused a record',
      dom('ConstraintError'),
      undefined,
      false,
      'CONSTRAINT_VIOLATION',
      false,
    ],
    ['the callback called abort()', null, undefined, false, 'TRANSACTION_ABORTED', false],
    ['the callback threw', null, { error: userError }, false, 'TRANSACTION_CALLBACK_FAILED', false],
    [
      'the callback threw on a dead connection',
      null,
      { error: userError },
      true,
      'TRANSACTION_CALLBACK_FAILED',
      false,
    ],
  ])('an aborted transaction where %s', (_case, txError, thrown, connectionDead, code, retry) => {
    const outcome = classifyFailure(context, { aborted: true, txError, thrown, connectionDead });
    expect(outcome.error.code).toBe(code);
    expect(outcome.retry).toBe(retry);
  });

  it('reports a callback that threw after its transaction committed, without retrying', () => {
    const outcome = classifyFailure(context, {
      aborted: false,
      txError: null,
      thrown: { error: userError },
      connectionDead: false,
    });
    expect(outcome.error.code).toBe('TRANSACTION_CALLBACK_FAILED');
    expect(outcome.error.cause).toBe(userError);
    expect(outcome.retry).toBe(false);
  });
});
