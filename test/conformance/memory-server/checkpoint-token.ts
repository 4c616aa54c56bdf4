import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { PullFilter } from '../../../src/protocol/messages.js';

/** Where a reader is: inside a snapshot (started at `seq`, ids after `after` remain) or following the log. */
export type Position =
  | { mode: 'snapshot'; seq: number; after: string | null; total: number }
  | { mode: 'changes'; seq: number };

/** Whom a checkpoint was issued to. */
export interface Binding {
  epoch: string;
  userId: string;
  collection: string;
  filter: PullFilter | undefined;
}

interface Payload {
  e: string;
  u: string;
  c: string;
  f: string;
  p: Position;
}

/** Signs a position for `binding`: base64url JSON, a dot, an HMAC-SHA256. */
export function issue(secret: string, binding: Binding, position: Position): string {
  const payload: Payload = {
    e: binding.epoch,
    u: binding.userId,
    c: binding.collection,
    f: filterKey(binding.filter),
    p: position,
  };
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${sign(secret, body)}`;
}

/**
 * Reads a checkpoint back: `'invalid'` unless it was issued by this server for `binding`.
 * With `trusting`, the fault: the payload is believed whoever it names and whatever its signature.
 */
export function read(
  secret: string,
  binding: Binding,
  token: string,
  trusting: boolean,
): Position | 'invalid' {
  const [body, signature, extra] = token.split('.');
  if (body === undefined || signature === undefined || extra !== undefined) return 'invalid';
  let payload: Payload;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Payload;
  } catch {
    return 'invalid';
  }
  const p = payload?.p;
  if (typeof p !== 'object' || p === null || !Number.isSafeInteger(p.seq) || p.seq < 0) return 'invalid';
  if (trusting) return p;
  const expected = Buffer.from(sign(secret, body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
  if (
    payload.e !== binding.epoch ||
    payload.u !== binding.userId ||
    payload.c !== binding.collection ||
    payload.f !== filterKey(binding.filter)
  ) {
    return 'invalid';
  }
  return p;
}

function sign(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url');
}

function filterKey(filter: PullFilter | undefined): string {
  if (filter === undefined || Object.keys(filter).length === 0) return '';
  const sorted = Object.entries(filter).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('base64url').slice(0, 22);
}
