import type { DefineDatabaseOptions } from './define-database.js';

/** The documented defaults of {@link DefineDatabaseOptions}. */
const defaults = {
  blockedTimeoutMs: 10_000,
  openTimeoutMs: 30_000,
  deleteTimeoutMs: 10_000,
  migrationBatchSize: 500,
  migrationSettleTimeoutMs: 30_000,
  lostConnectionGraceMs: 2_000,
};

/** Options with every default filled in. */
export type ResolvedOptions = Omit<DefineDatabaseOptions<unknown>, keyof typeof defaults | 'versions'> &
  typeof defaults;

/** Fills in defaults; an option given as `undefined` takes its default too. */
export function resolveOptions(options: DefineDatabaseOptions<unknown>): ResolvedOptions {
  const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  return { ...defaults, ...given } as ResolvedOptions;
}
