import { type ComputedRef, computed, type ShallowRef } from 'vue';
import type { LiveResult } from '../bindings/live-result.js';

/**
 * A live read as refs (destructure them freely): the latest result (`data`), why the read failed
 * (`error`), and whether the first result of the current inputs is still coming (`isLoading`).
 */
export interface LiveRefs<R> {
  /**
   * The latest result; `undefined` until the first one arrives (with `keepPreviousData`, the
   * previous inputs' result meanwhile).
   */
  readonly data: ComputedRef<R | undefined>;
  /** Why the read failed (typically an `IdbSyncError`); `undefined` while it works. */
  readonly error: ComputedRef<unknown>;
  /** True until the first result (or failure) of the current inputs. */
  readonly isLoading: ComputedRef<boolean>;
}

/** The refs of a live result held in `state`. */
export function liveRefs<R>(state: Readonly<ShallowRef<LiveResult<R>>>): LiveRefs<R> {
  return {
    data: computed(() => state.value.data),
    error: computed(() => state.value.error),
    isLoading: computed(() => state.value.isLoading),
  };
}
