import type { ConflictSide } from './conflict-strategy.js';
import { deepEqual } from './deep-equal.js';

/** Result of a field-level three-way merge. */
export interface MergeResult {
  /** The merged record. */
  readonly value: Record<string, unknown>;
  /** Fields changed on both sides to different values (decided by the tie rule), sorted. */
  readonly conflictingFields: string[];
}

/**
 * Merges two records field by field against their common base: a field changed on one side only takes
 * that side's value (including removing the field); a field changed on both sides to equal values
 * keeps it; a field changed on both sides to different values takes the `tie` side's value and is
 * listed in `conflictingFields`. Fields are compared structurally (nested objects are one field).
 * `base` is `null` when the local change created the record: then every field present on both sides
 * with different values is a conflicting field.
 */
export function threeWayMerge(
  base: Record<string, unknown> | null,
  local: Record<string, unknown>,
  remote: Record<string, unknown>,
  tie: ConflictSide,
): MergeResult {
  const baseRecord = base ?? {};
  const fields = new Set([...Object.keys(baseRecord), ...Object.keys(local), ...Object.keys(remote)]);
  const value: Record<string, unknown> = {};
  const conflictingFields: string[] = [];
  for (const field of fields) {
    const b = baseRecord[field];
    const l = local[field];
    const r = remote[field];
    const localChanged = !deepEqual(l, b);
    const remoteChanged = !deepEqual(r, b);
    let picked: unknown;
    if (localChanged && remoteChanged && !deepEqual(l, r)) {
      conflictingFields.push(field);
      picked = tie === 'server' ? r : l;
    } else if (localChanged) {
      picked = l;
    } else {
      picked = r;
    }
    // An absent field stays absent rather than becoming an explicit `undefined`.
    if (picked !== undefined) value[field] = picked;
  }
  conflictingFields.sort();
  return { value, conflictingFields };
}
