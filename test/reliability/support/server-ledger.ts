import type { FuzzServer } from './fuzz-world.js';

/** What the server recorded of one user's pushes, to check that each mutation was applied once. */
export interface ServerLedger {
  /** Mutations with a stored result (each processed once: the result is keyed by mutation id). */
  readonly processed: number;
  /** Steps of the user's `work_orders` change log. */
  readonly changeLogSteps: number;
  /** Distinct revisions answered by applied mutations that are not server edits. */
  readonly clientRevs: number;
  /** Ids the server answered a push with a conflict on. */
  readonly conflicted: readonly (string | null)[];
}

/**
 * Reads `user`'s ledger. Nothing was applied twice when `changeLogSteps` equals `clientRevs` plus
 * the server's own edits (`serverRevs`): every change-log step is a server edit or the revision one
 * applied mutation answered with (a no-op, like deleting a deleted record, answers an existing one).
 */
export async function readLedger(
  server: FuzzServer,
  user: string,
  serverRevs: ReadonlySet<string>,
): Promise<ServerLedger> {
  const mine = `FROM mutation_results r JOIN clients c ON c.client_id = r.client_id WHERE c.user_id = $1`;
  const { rows: processed } = await server.db.query<{ n: number | string }>(`SELECT count(*) AS n ${mine}`, [
    user,
  ]);
  const { rows: applied } = await server.db.query<{ rev: string }>(
    `SELECT DISTINCT r.result->>'rev' AS rev ${mine} AND r.result->>'status' = 'applied'`,
    [user],
  );
  const { rows: seq } = await server.db.query<{ n: number | string }>(
    `SELECT seq AS n FROM collection_seq WHERE collection = 'work_orders' AND owner = $1`,
    [user],
  );
  const { rows: conflicted } = await server.db.query<{ id: string | null }>(
    `SELECT r.result->'current'->>'id' AS id ${mine} AND r.result->>'status' = 'conflict'`,
    [user],
  );
  return {
    processed: Number(processed[0]?.n ?? 0),
    changeLogSteps: Number(seq[0]?.n ?? 0),
    clientRevs: applied.map((r) => String(r.rev)).filter((rev) => !serverRevs.has(rev)).length,
    conflicted: conflicted.map((r) => r.id),
  };
}
