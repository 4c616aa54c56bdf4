import { expect } from 'vitest';
import type { RecordValue } from '../../../src/protocol/messages.js';
import type { SkippedRecord, SkipReason } from '../../../src/sync/skipped-log.js';
import type { CollectionOptions } from '../../../src/sync/sync-options.js';
import type { StoreSpec, VersionSpec } from '../../../src/upversion/schema-types.js';

/**
 * The fuzz's bad records (issue #14): `codes`, a lookup collection whose store declares a unique
 * index on `code` the server knows nothing of. Server edits swap codes and hold one code twice; its
 * `fromServer` throws on a `poison` record; a `pad`ded record is over its `maxRecordBytes`. Which
 * records a client cannot store follows from the server's records alone (see {@link expectCodes}).
 */
export const CODES_STORE: StoreSpec = {
  keyPath: 'id',
  kind: 'lookup',
  indexes: { 'by-code': { keyPath: 'code', unique: true } },
};

/** `version` with the `codes` store. */
export function withCodes(version: VersionSpec): VersionSpec {
  return { ...version, stores: { ...version.stores, codes: CODES_STORE } };
}

/** The largest `codes` record a client stores, in bytes of JSON. */
export const MAX_CODE_BYTES = 200;

/** How a server edit of `codes` makes its record: ordinary, refused by the transform, or too large. */
export type CodeKind = 'ok' | 'poison' | 'big';

/** A server value of `codes`. Only ordinary records hold a code (the others never clash). */
export function codeValue(kind: CodeKind, code: string, n: number): RecordValue {
  if (kind === 'poison') return { n, poison: true };
  if (kind === 'big') return { n, pad: 'x'.repeat(MAX_CODE_BYTES) };
  return { code, n };
}

/**
 * The app's `codes` options: `fromServer` derives `label`, and throws on a `poison` record until
 * the app ships the fixed transform (`fixed()`, asked on each call: no reload needed).
 */
export function codesOptions(fixed: () => boolean): CollectionOptions {
  return {
    maxRecordBytes: MAX_CODE_BYTES,
    fromServer: (record) => {
      const r = record as RecordValue;
      if (r['poison'] === true && !fixed()) throw new Error('poison record');
      return { ...r, label: `L${String(r['n'])}` };
    },
  };
}

/** One server record of `codes`: its value (id stamped in) and revision. */
export interface ServerCode {
  readonly value: RecordValue;
  readonly rev: string;
}

/** What a client must hold of `codes` once it synced with no fault. */
export interface CodesExpectation {
  /** Records stored whatever the history: id → stored value (without revision). */
  readonly stored: Record<string, RecordValue>;
  /** Ids of records holding one code on the server: exactly one of each group is stored. */
  readonly clashes: readonly (readonly string[])[];
  /** Records in the skipped log for a reason other than a clash. */
  readonly skipped: Readonly<Record<string, SkipReason>>;
}

/** The expectation for a client with the `fixed` transform or not, from the server's alive records. */
export function expectCodes(server: ReadonlyMap<string, ServerCode>, fixed: boolean): CodesExpectation {
  const stored: Record<string, RecordValue> = {};
  const skipped: Record<string, SkipReason> = {};
  const byCode = new Map<string, string[]>();
  for (const [id, { value }] of server) {
    if (value['pad'] !== undefined) skipped[id] = 'too-large';
    else if (value['poison'] === true && !fixed) skipped[id] = 'transform-failed';
    else if (typeof value['code'] === 'string') {
      byCode.set(value['code'], [...(byCode.get(value['code']) ?? []), id]);
    } else stored[id] = transformed(value);
  }
  const clashes: string[][] = [];
  for (const ids of byCode.values()) {
    if (ids.length === 1) stored[ids[0]!] = transformed(server.get(ids[0]!)!.value);
    else clashes.push(ids);
  }
  return { stored, clashes, skipped };
}

function transformed(value: RecordValue): RecordValue {
  return { ...value, label: `L${String(value['n'])}` };
}

/**
 * Checks one client's `codes` store (`local`: id → value without revision) and its whole skipped
 * log: every record is stored except the skipped ones, each skipped record is logged once with its
 * reason and the server's current revision, and of each code the server holds twice exactly one
 * record is stored, the others logged as `unique-clash` held by it.
 */
export function checkCodes(
  label: string,
  local: Record<string, unknown>,
  log: readonly SkippedRecord[],
  server: ReadonlyMap<string, ServerCode>,
  expected: CodesExpectation,
): void {
  const reasons: Record<string, SkipReason> = { ...expected.skipped };
  const heldBy: Record<string, string> = {};
  const stored: Record<string, unknown> = { ...expected.stored };
  for (const group of expected.clashes) {
    const holders = group.filter((id) => local[id] !== undefined);
    expect(holders, `${label}: one holder of the code of ${group.join(', ')}`).toHaveLength(1);
    const holder = holders[0]!;
    stored[holder] = transformed(server.get(holder)!.value);
    for (const id of group) {
      if (id === holder) continue;
      reasons[id] = 'unique-clash';
      heldBy[id] = holder;
    }
  }
  expect(local, `${label}: codes stored`).toEqual(stored);
  expect(
    log.map((e) => [e.collection, e.id, e.reason, e.heldBy, e.rev]).sort(),
    `${label}: skipped log`,
  ).toEqual(
    Object.entries(reasons)
      .map(([id, reason]) => ['codes', id, reason, heldBy[id], server.get(id)!.rev])
      .sort(),
  );
}
