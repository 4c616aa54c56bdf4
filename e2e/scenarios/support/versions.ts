// The small two-version schema the multi-tab scenarios open: v2 adds a store and an index.
import { isIdbSyncError } from '../../../src/index.js';

export const v1 = {
  version: 1,
  stores: { tasks: { keyPath: 'id', keyType: 'number', kind: 'transactional' } },
} as const;

export const v2 = {
  version: 2,
  stores: {
    tasks: {
      keyPath: 'id',
      keyType: 'number',
      kind: 'transactional',
      indexes: { byDone: { keyPath: 'done' } },
    },
    labels: { keyPath: 'id', kind: 'lookup' },
  },
} as const;

/** A task record. */
export const task = (id: number) => ({ id, title: `task ${id}`, done: 0 });

/** An error as plain JSON, with what the SDK's guards say about it. */
export function describeError(error: unknown) {
  const { name, message, code } = error as { name?: unknown; message?: unknown; code?: unknown };
  return {
    name: String(name),
    message: String(message),
    ...(typeof code === 'string' ? { code } : {}),
    /** Whether it is one of the SDK's typed errors. */
    typed: isIdbSyncError(error),
  };
}

/** Resolves with `promise`'s outcome, or with `timeout` after `ms`: a bound, never a pause. */
export async function within<T>(promise: Promise<T>, ms: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const started = performance.now();
  const bounded = new Promise<{ outcome: 'timeout' }>((resolve) => {
    timer = setTimeout(() => resolve({ outcome: 'timeout' }), ms);
  });
  const settled = promise.then(
    (value) => ({ outcome: 'resolved' as const, value }),
    (error: unknown) => ({ outcome: 'rejected' as const, error: describeError(error) }),
  );
  try {
    return { ...(await Promise.race([settled, bounded])), ms: Math.round(performance.now() - started) };
  } finally {
    clearTimeout(timer);
  }
}
