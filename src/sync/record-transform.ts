import { type RecordTransform, RecordTransformError } from '../errors/record-transform-error.js';
import type { RecordValue } from '../protocol/messages.js';

/** A collection's record transform as the runner calls it (see `CollectionOptions.fromServer`). */
export type TransformFn = (record: RecordValue) => RecordValue;

/**
 * Runs a collection's transform on one record. Whatever it throws, and a result that is not a plain
 * record (a promise included: transforms run inside IndexedDB transactions and must be synchronous),
 * comes back as a {@link RecordTransformError} naming the transform, the collection and the record.
 */
export function runTransform(
  transform: RecordTransform,
  fn: TransformFn,
  store: string,
  id: string,
  record: RecordValue,
): RecordValue {
  let result: unknown;
  try {
    result = fn(record);
  } catch (cause) {
    throw new RecordTransformError(transform, store, id, cause);
  }
  if (typeof result !== 'object' || result === null || Array.isArray(result) || isThenable(result)) {
    throw new RecordTransformError(
      transform,
      store,
      id,
      new TypeError(`${transform} must return a record synchronously`),
    );
  }
  return result as RecordValue;
}

function isThenable(value: object): boolean {
  return typeof (value as { then?: unknown }).then === 'function';
}
