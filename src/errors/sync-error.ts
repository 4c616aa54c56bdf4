/**
 * Base of every error idb-sync throws. Each kind lives in its own file, overrides `name`, and has a
 * stable string `code` that apps can switch on; the original DOMException, HTTP error or user
 * callback error is kept as `cause`. Error messages never contain tokens or record contents.
 */
export abstract class SyncError extends Error {
  abstract override readonly name: string;
  /** Stable, documented identifier of the error kind (for example `UPGRADE_BLOCKED`). */
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

/**
 * Cross-realm guard: true when `value` is an idb-sync error, even when it came from another copy of
 * the library (another bundle, an iframe) where `instanceof` would fail.
 */
export function isSyncError(value: unknown): value is SyncError {
  if (value instanceof SyncError) return true;
  return (
    typeof value === 'object' &&
    value !== null &&
    value instanceof Error &&
    typeof (value as { code?: unknown }).code === 'string' &&
    (value as { [syncErrorBrand]?: unknown })[syncErrorBrand] === true
  );
}

/** Shared brand so copies of the library recognise each other's errors. */
const syncErrorBrand = Symbol.for('idb-sync.error');
Object.defineProperty(SyncError.prototype, syncErrorBrand, { value: true });

/**
 * Builds the `isXError()` guard for one error kind: it checks `instanceof` and, across realms, the
 * kind's `name` and `code`.
 */
export function errorGuard<T extends SyncError>(
  type: abstract new (...args: never[]) => T,
  name: T['name'],
  code: T['code'],
): (value: unknown) => value is T {
  return (value: unknown): value is T =>
    value instanceof type || (isSyncError(value) && value.name === name && value.code === code);
}
