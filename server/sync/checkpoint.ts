import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { PullFilter } from '../../src/protocol/messages.js';
import { ProtocolError } from './protocol-error.js';

/**
 * What a checkpoint token carries. Tokens are opaque to clients: base64url JSON plus an HMAC-SHA256
 * signature, bound to the database epoch, the user, the collection and the filter, so a forged,
 * tampered or borrowed token is refused (`INVALID_CHECKPOINT`) and never served.
 */
export type CheckpointState =
  /** In a snapshot that started at change-log position `seq`; records with id > `after` remain. */
  | { mode: 'snapshot'; seq: number; after: string | null; total: number }
  /** Following the change log after position `seq`. */
  | { mode: 'changes'; seq: number };

interface Payload {
  v: 1;
  /** Database epoch. */
  e: string;
  u: string;
  c: string;
  /** Filter hash, '' without filter. */
  f: string;
  m: 's' | 'c';
  s: number;
  a?: string | null;
  t?: number;
}

/** Who a token belongs to; all of it must match when the token comes back. */
export interface CheckpointBinding {
  epoch: string;
  userId: string;
  collection: string;
  filter: PullFilter | undefined;
}

/** Signs `state` into a token for `binding`. */
export function encodeCheckpoint(secret: string, binding: CheckpointBinding, state: CheckpointState): string {
  const payload: Payload = {
    v: 1,
    e: binding.epoch,
    u: binding.userId,
    c: binding.collection,
    f: filterHash(binding.filter),
    m: state.mode === 'snapshot' ? 's' : 'c',
    s: state.seq,
    ...(state.mode === 'snapshot' ? { a: state.after, t: state.total } : {}),
  };
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${sign(secret, body)}`;
}

/**
 * Verifies and decodes a token. A token from another database epoch (the database was reinstalled
 * or restored) is `RESET_REQUIRED`: the client must do a full sync; any other mismatch is
 * `INVALID_CHECKPOINT`.
 */
export function decodeCheckpoint(secret: string, binding: CheckpointBinding, token: string): CheckpointState {
  const invalid = () =>
    new ProtocolError('INVALID_CHECKPOINT', 'The checkpoint was not issued for this request');
  const [body, signature, extra] = token.split('.');
  if (body === undefined || signature === undefined || extra !== undefined) throw invalid();
  let payload: Payload;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Payload;
  } catch {
    throw invalid();
  }
  if (typeof payload !== 'object' || payload === null || payload.v !== 1) throw invalid();
  // Checked before the signature: another epoch means another secret, so the signature cannot be
  // verified, and answering "reset" to a forged token reveals and serves nothing.
  if (typeof payload.e === 'string' && payload.e !== binding.epoch) {
    throw new ProtocolError(
      'RESET_REQUIRED',
      'The checkpoint belongs to an earlier incarnation of the database',
      {
        collection: binding.collection,
      },
    );
  }
  const expected = Buffer.from(sign(secret, body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid();
  if (
    payload.u !== binding.userId ||
    payload.c !== binding.collection ||
    payload.f !== filterHash(binding.filter) ||
    !Number.isSafeInteger(payload.s) ||
    payload.s < 0
  ) {
    throw invalid();
  }
  if (payload.m === 'c') return { mode: 'changes', seq: payload.s };
  if (payload.m === 's' && (typeof payload.a === 'string' || payload.a === null)) {
    return { mode: 'snapshot', seq: payload.s, after: payload.a, total: payload.t ?? 0 };
  }
  throw invalid();
}

function sign(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url');
}

/** Stable hash of a filter: keys sorted, so `{a, b}` and `{b, a}` are the same filter. */
function filterHash(filter: PullFilter | undefined): string {
  if (filter === undefined || Object.keys(filter).length === 0) return '';
  const canonical = JSON.stringify(Object.entries(filter).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 22);
}
