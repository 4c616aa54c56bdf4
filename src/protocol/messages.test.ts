import { describe, expect, it } from 'vitest';
import { ERROR_CODES, errorBody, errorBodySchema, errorCodes, isKnownErrorCode } from './error-codes.js';
import {
  changeSchema,
  mutationResultSchema,
  pullRequestSchema,
  pullResponseSchema,
  pushRequestSchema,
  wsClientMessageSchema,
  wsServerMessageSchema,
} from './messages.js';
import { PROTOCOL_LIMITS, PROTOCOL_VERSION } from './version.js';

describe('protocol messages', () => {
  it('accepts a pull with a null checkpoint and rejects bad window sizes', () => {
    const ok = { collection: 'work_orders', checkpoint: null, windowSize: 500 };
    expect(pullRequestSchema.parse(ok)).toEqual(ok);
    for (const windowSize of [0, -1, 1.5, PROTOCOL_LIMITS.maxWindowSize + 1, '10']) {
      const r = pullRequestSchema.safeParse({ ...ok, windowSize });
      expect(r.success).toBe(false);
      expect(r.error?.issues[0]?.path).toEqual(['windowSize']);
    }
  });

  it('refuses collection names that are not lower-case identifiers', () => {
    for (const collection of ['', 'Work', '1x', 'a-b', 'x'.repeat(64), 'a;drop']) {
      expect(pullRequestSchema.safeParse({ collection, checkpoint: null, windowSize: 1 }).success).toBe(
        false,
      );
    }
  });

  it('ties value to op in changes', () => {
    expect(changeSchema.safeParse({ id: 'a', rev: '1', op: 'put', value: { n: 1 } }).success).toBe(true);
    expect(changeSchema.safeParse({ id: 'a', rev: '1', op: 'put' }).success).toBe(false);
    expect(changeSchema.parse({ id: 'a', rev: '2', op: 'delete', value: { n: 1 } })).toEqual({
      id: 'a',
      rev: '2',
      op: 'delete',
    });
  });

  it('requires strictly increasing mutation ids in a push', () => {
    const m = (mutationId: number) => ({
      mutationId,
      collection: 'customers',
      id: `c${mutationId}`,
      op: 'put',
      baseRev: null,
      value: {},
    });
    expect(pushRequestSchema.safeParse({ clientId: 'c', mutations: [m(1), m(3)] }).success).toBe(true);
    expect(pushRequestSchema.safeParse({ clientId: 'c', mutations: [m(3), m(3)] }).success).toBe(false);
    expect(pushRequestSchema.safeParse({ clientId: 'c', mutations: [m(0)] }).success).toBe(false);
  });

  it('parses each mutation result kind', () => {
    expect(mutationResultSchema.parse({ mutationId: 1, status: 'applied', rev: '7' }).status).toBe('applied');
    expect(mutationResultSchema.parse({ mutationId: 2, status: 'conflict', current: null }).status).toBe(
      'conflict',
    );
    expect(
      mutationResultSchema.safeParse({ mutationId: 3, status: 'rejected', reason: 'read-only' }).success,
    ).toBe(true);
    expect(
      mutationResultSchema.safeParse({ mutationId: 3, status: 'rejected', reason: 'nope' }).success,
    ).toBe(false);
  });

  it('keeps unknown fields of a newer server out of parsed responses instead of failing', () => {
    const page = pullResponseSchema.parse({
      protocolVersion: 1,
      collection: 'service_types',
      mode: 'snapshot',
      changes: [],
      checkpoint: 'tok',
      moreAvailable: false,
      windowSize: 10,
      range: { after: null, until: null },
      total: 0,
      futureField: true,
    });
    expect(page).not.toHaveProperty('futureField');
  });

  it('gives every error code an HTTP error status and builds bodies that parse', () => {
    for (const code of errorCodes) {
      expect(ERROR_CODES[code].status).toBeGreaterThanOrEqual(400);
      const body = errorBody(code, 'x', { a: 1 });
      expect(errorBodySchema.parse(body)).toEqual({
        protocolVersion: PROTOCOL_VERSION,
        error: { code, message: 'x', details: { a: 1 } },
      });
    }
    expect(isKnownErrorCode('RESET_REQUIRED')).toBe(true);
    expect(isKnownErrorCode('toString')).toBe(false);
  });

  it('types websocket messages by direction', () => {
    expect(wsClientMessageSchema.parse({ type: 'hello', schemaVersion: 3 }).type).toBe('hello');
    expect(wsClientMessageSchema.safeParse({ type: 'poke', collection: 'a', seq: 1 }).success).toBe(false);
    const error = wsServerMessageSchema.parse({
      type: 'error',
      requestId: 'r1',
      body: errorBody('UNKNOWN_COLLECTION', 'no such collection'),
    });
    expect(error.type).toBe('error');
  });
});
