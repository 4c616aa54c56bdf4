/** Options of the bindings' `useLiveQuery` and `useLiveSearch` (React and Vue alike). */
export interface UseLiveOptions {
  /**
   * While the first result of new inputs (changed `deps`) is loading, keep showing the previous
   * inputs' result as `data` (`isLoading` is true meanwhile): a list filtered as the user types
   * does not blink empty. Default `false` (`data` is `undefined` until the new result).
   */
  readonly keepPreviousData?: boolean;
}

/** Options of the bindings' `useLiveQuery`. */
export interface UseLiveQueryOptions<C> extends UseLiveOptions {
  /**
   * Which changes re-run the query (default: every change of its stores), e.g.
   * `(c) => c.key === id`. The latest function given is used.
   */
  readonly relevant?: (change: C) => boolean;
  /** How long to gather a burst of changes into one re-run, in ms. Default `0` (the next task). */
  readonly coalesceMs?: number;
}
