/**
 * What a binding that reads IndexedDB gives a component: the latest result of the read (`data`),
 * or why it failed (`error`), and whether the first result of the current inputs is still coming
 * (`isLoading`).
 */
export interface LiveResult<R> {
  /**
   * The latest result; `undefined` until the first one arrives (with `keepPreviousData`, the
   * previous inputs' result meanwhile).
   */
  readonly data: R | undefined;
  /** Why the read failed (typically an `IdbSyncError`); `undefined` while it works. */
  readonly error: unknown;
  /** True until the first result (or failure) of the current inputs. */
  readonly isLoading: boolean;
}

/** One thing an observable said: a value or a failure. */
export type Notice<V> = { readonly value: V } | { readonly error: unknown };

/** The state before any result: loading, with `data` the previous result (or nothing). */
export function loading<R>(data?: R): LiveResult<R> {
  return { data, error: undefined, isLoading: true };
}

/** The next state of a live read after `notice`. */
export function settle<R>(previous: LiveResult<R>, notice: Notice<R>): LiveResult<R> {
  return 'value' in notice
    ? { data: notice.value, error: undefined, isLoading: false }
    : { data: previous.data, error: notice.error, isLoading: false };
}
