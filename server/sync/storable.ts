import { REJECT_CODES, type RejectCode } from '../../src/protocol/messages.js';

/** Limits on record values, enforced before anything is written (push and admin writes). */
export interface ValueLimits {
  /** Largest value, in bytes of its compact JSON (UTF-8). */
  maxValueBytes: number;
  /** Deepest nesting of objects and arrays; the value itself is level 1. */
  maxValueDepth: number;
}

/** Why a value or id cannot be stored. */
export interface StorageProblem {
  code: RejectCode;
  message: string;
}

/**
 * True when PostgreSQL can store `s` as text or inside jsonb unchanged: no NUL character (text and
 * jsonb refuse it) and no unpaired surrogate (jsonb refuses it; a text column would silently turn it
 * into U+FFFD, changing an id).
 */
export function isStorableString(s: string): boolean {
  return !s.includes('\u0000') && !UNPAIRED_SURROGATE.test(s);
}

/** A high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The problem with a record id or owner, or undefined. */
export function checkId(id: string, what = 'The record id'): StorageProblem | undefined {
  return isStorableString(id)
    ? undefined
    : {
        code: REJECT_CODES.notStorable,
        message: `${what} holds a NUL character or an unpaired surrogate`,
      };
}

/**
 * Checks a value against the limits and the database's character rules, walking it without
 * recursion (a value nested 100,000 levels deep must not overflow the stack), and returns its JSON
 * text and size when it passes.
 */
export function checkValue(
  value: unknown,
  limits: ValueLimits,
): { ok: true; json: string; bytes: number } | ({ ok: false } & StorageProblem) {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node === 'string') {
      if (!isStorableString(node)) return notStorable();
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    if (depth > limits.maxValueDepth) {
      return {
        ok: false,
        code: REJECT_CODES.valueTooDeep,
        message: `The value is nested deeper than ${limits.maxValueDepth} levels`,
      };
    }
    if (Array.isArray(node)) {
      for (const item of node) stack.push([item, depth + 1]);
      continue;
    }
    for (const [key, item] of Object.entries(node)) {
      if (!isStorableString(key)) return notStorable();
      stack.push([item, depth + 1]);
    }
  }
  const json = JSON.stringify(value);
  const bytes = Buffer.byteLength(json);
  if (bytes > limits.maxValueBytes) {
    return {
      ok: false,
      code: REJECT_CODES.valueTooLarge,
      message: `The value is ${bytes} bytes of JSON, above the limit of ${limits.maxValueBytes}`,
    };
  }
  return { ok: true, json, bytes };
}

function notStorable(): { ok: false } & StorageProblem {
  return {
    ok: false,
    code: REJECT_CODES.notStorable,
    message: 'The value holds a NUL character or an unpaired surrogate, which the database cannot store',
  };
}
