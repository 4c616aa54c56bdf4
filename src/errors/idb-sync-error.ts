import type { IdbSyncErrorCode, IdbSyncErrorMap } from './error-map.js';

/**
 * Base of every error idb-sync throws. Each kind lives in its own file, overrides `name`, and has a
 * stable string `code` (listed in {@link IdbSyncErrorMap}) that apps can switch on; the original
 * DOMException, HTTP error or user callback error is kept as `cause`. Error messages never contain
 * tokens or record contents.
 */
export abstract class IdbSyncError extends Error {
  /** The error kind's class name, e.g. `UpgradeBlockedError`: what a stack trace or log shows. */
  abstract override readonly name: string;
  /** Stable, documented identifier of the error kind (for example `UPGRADE_BLOCKED`). */
  abstract readonly code: IdbSyncErrorCode;

  /**
   * For the error kinds' constructors; apps do not construct these errors.
   *
   * @param message what happened, for people; never tokens or record contents
   * @param options `cause`: the DOMException, HTTP error or callback error behind this one
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** Shared brand so copies of the library (another bundle, an iframe) recognise each other's errors. */
const brand = Symbol.for('idb-sync.error');
Object.defineProperty(IdbSyncError.prototype, brand, { value: true });

/**
 * True when `value` is an idb-sync error; with a `code`, when it is the error kind of that code,
 * and TypeScript narrows it to that kind's class.
 *
 * Works across realms, where `instanceof` fails: an error thrown by another copy of the library (a
 * second bundle, an iframe) is recognised by its brand and its code.
 *
 * @example
 * ```ts
 * import { isIdbSyncError } from 'idb-sync';
 *
 * function explain(error: unknown): string {
 *   if (isIdbSyncError(error, 'UPGRADE_BLOCKED')) return `close other tabs (waited ${error.timeoutMs} ms)`;
 *   if (isIdbSyncError(error)) return error.code;
 *   return 'unexpected error';
 * }
 * ```
 */
export function isIdbSyncError(value: unknown): value is IdbSyncError;
export function isIdbSyncError<C extends IdbSyncErrorCode>(
  value: unknown,
  code: C,
): value is IdbSyncErrorMap[C];
export function isIdbSyncError(value: unknown, code?: IdbSyncErrorCode): boolean {
  const recognised =
    value instanceof IdbSyncError ||
    // An Error from any realm (instanceof Error fails across iframes), carrying the brand and a code.
    (Object.prototype.toString.call(value) === '[object Error]' &&
      (value as { [brand]?: unknown })[brand] === true &&
      typeof (value as { code?: unknown }).code === 'string');
  return recognised && (code === undefined || (value as { code: unknown }).code === code);
}
