/**
 * Continuation-passing helpers for reading inside one transaction. Every request is issued from
 * another request's callback (never after a promise resolved): Safari and indexeddbshim end a
 * transaction when control returns to the event loop through a microtask.
 */
export interface Steps {
  /** Ends the whole read with an error (a failed request, or what a callback threw). */
  readonly fail: (error: unknown) => void;
}

/** Calls `ok` with the request's result; what `ok` throws fails the read. */
export function onResult<T>(steps: Steps, request: IDBRequest<T>, ok: (result: T) => void): void {
  request.onsuccess = () => {
    try {
      ok(request.result);
    } catch (error) {
      steps.fail(error);
    }
  };
  request.onerror = () => steps.fail(request.error);
}

/** Calls `ok` with every request's result, in order, once all answered. */
export function onResults<T>(
  steps: Steps,
  requests: readonly IDBRequest<T>[],
  ok: (results: T[]) => void,
): void {
  const results: T[] = new Array(requests.length);
  if (requests.length === 0) {
    ok(results);
    return;
  }
  let answered = 0;
  requests.forEach((request, i) => {
    onResult(steps, request, (result) => {
      results[i] = result;
      answered += 1;
      if (answered === requests.length) ok(results);
    });
  });
}

/** Runs `step` for each cursor position until it returns false or the cursor ends (`done`). */
export function eachCursor<C extends IDBCursor>(
  steps: Steps,
  request: IDBRequest<C | null>,
  step: (cursor: C) => void,
  done: () => void,
): void {
  onResult(steps, request, (cursor) => {
    if (cursor === null) done();
    else step(cursor);
  });
}
