import type { Mutation, MutationResult, PushRequest, PushResponse } from '../../src/protocol/messages.js';
import { PROTOCOL_VERSION } from '../../src/protocol/version.js';
import type { AuthUser, CollectionConfig } from '../config.js';
import type { Database, Queryable } from '../db/database.js';
import { toInt } from '../db/database.js';
import type { ChangeEvent } from '../notify/change-bus.js';
import { ProtocolError } from './protocol-error.js';
import { canonicalJson, lockSequence, readRecord, toChange, writeRecord } from './records.js';
import type { Runtime } from './runtime.js';
import type { RequestStats } from './stats.js';

/** Mutations applied per database transaction: bounds how long one push holds its locks. */
const CHUNK = 100;

/**
 * Applies a push exactly once per mutation id. Mutations are processed in order, in transactions of
 * up to {@link CHUNK}: each transaction locks the client row (so two retries of one push cannot run
 * at once), then the sequences it will write in sorted order (so concurrent pushes cannot deadlock),
 * and writes the effects, the stored results and the client's last mutation id together.
 */
export async function push(
  runtime: Runtime,
  db: Database,
  user: AuthUser,
  request: PushRequest,
  stats: RequestStats,
): Promise<PushResponse> {
  if (request.mutations.length > runtime.options.maxMutationsPerPush) {
    throw new ProtocolError(
      'PAYLOAD_TOO_LARGE',
      `A push may carry at most ${runtime.options.maxMutationsPerPush} mutations`,
      { maxMutationsPerPush: runtime.options.maxMutationsPerPush },
    );
  }
  // Refuse the whole push before touching anything when one collection is unknown.
  const configs = request.mutations.map((m) => runtime.collection(m.collection));
  await bindClient(db, request.clientId, user.userId);

  const results: MutationResult[] = [];
  for (let start = 0; start < request.mutations.length; start += CHUNK) {
    const chunk = request.mutations.slice(start, start + CHUNK);
    const chunkConfigs = configs.slice(start, start + CHUNK);
    const changed = new Map<string, ChangeEvent>();
    /** Mutation ids whose write happened in this request (not answered from storage, not a no-op). */
    const written = new Set<number>();
    const chunkResults = await db.transaction(async (tx) => {
      const { rows } = await tx.query<{ last_mutation_id: unknown }>(
        `SELECT last_mutation_id FROM clients WHERE client_id = $1 FOR UPDATE`,
        [request.clientId],
      );
      let last = toInt(rows[0]!.last_mutation_id);
      const sequences = [
        ...new Set(
          chunk.flatMap((m, i) =>
            m.mutationId > last && !chunkConfigs[i]!.readOnly
              ? [JSON.stringify([m.collection, runtime.owner(chunkConfigs[i]!, user.userId)])]
              : [],
          ),
        ),
      ].sort();
      for (const key of sequences) {
        const [collection, owner] = JSON.parse(key) as [string, string];
        await lockSequence(tx, collection, owner);
      }
      const out: MutationResult[] = [];
      for (const [i, mutation] of chunk.entries()) {
        if (mutation.mutationId <= last) {
          out.push(await storedResult(tx, request.clientId, mutation.mutationId));
          continue;
        }
        const config = chunkConfigs[i]!;
        const { result, wrote } = await applyMutation(
          runtime,
          tx,
          user,
          request.clientId,
          config,
          mutation,
          changed,
        );
        if (wrote) written.add(mutation.mutationId);
        await tx.query(
          `INSERT INTO mutation_results (client_id, mutation_id, result) VALUES ($1, $2, $3::jsonb)`,
          [request.clientId, mutation.mutationId, JSON.stringify(result)],
        );
        last = mutation.mutationId;
        out.push(result);
      }
      await tx.query(`UPDATE clients SET last_mutation_id = $2, last_push_at = now() WHERE client_id = $1`, [
        request.clientId,
        last,
      ]);
      return out;
    });
    for (const [i, result] of chunkResults.entries()) {
      count(stats, chunk[i]!, result, written.has(result.mutationId));
      if (result.status === 'rejected' && result.reason === 'read-only') {
        runtime.log({
          level: 'warn',
          msg: `push rejected: collection ${chunk[i]!.collection} is read-only (user ${user.userId}, mutation ${result.mutationId})`,
          event: 'push-rejected',
          userId: user.userId,
          collection: chunk[i]!.collection,
          mutationId: result.mutationId,
          reason: result.reason,
        });
      }
    }
    results.push(...chunkResults);
    // After COMMIT: a poke never announces a change a pull cannot see yet.
    for (const event of changed.values()) runtime.bus.publish(event);
  }
  await pruneResults(db, request.clientId, runtime.options.mutationResultRetention);
  return { protocolVersion: PROTOCOL_VERSION, results };
}

/** Binds a new client id to `userId`; a client id of another user is `CLIENT_ID_FORBIDDEN`. */
async function bindClient(db: Database, clientId: string, userId: string): Promise<void> {
  await db.query(
    `INSERT INTO clients (client_id, user_id) VALUES ($1, $2) ON CONFLICT (client_id) DO NOTHING`,
    [clientId, userId],
  );
  const { rows } = await db.query<{ user_id: string }>(`SELECT user_id FROM clients WHERE client_id = $1`, [
    clientId,
  ]);
  if (rows[0]?.user_id !== userId) {
    throw new ProtocolError('CLIENT_ID_FORBIDDEN', 'This client id belongs to another user');
  }
}

/** The answer given the first time; `expired` when it is no longer kept (or the id was skipped). */
async function storedResult(tx: Queryable, clientId: string, mutationId: number): Promise<MutationResult> {
  const { rows } = await tx.query<{ result: MutationResult }>(
    `SELECT result FROM mutation_results WHERE client_id = $1 AND mutation_id = $2`,
    [clientId, mutationId],
  );
  return (
    rows[0]?.result ?? {
      mutationId,
      status: 'rejected',
      reason: 'expired',
      message: 'This mutation id was already processed; its result is no longer kept',
    }
  );
}

/**
 * Conflict rules (docs/protocol.md#conflicts): a put or delete applies when `baseRev` is the
 * record's current rev (a tombstone's rev included: a put on it recreates the record). A create
 * (`baseRev: null`) applies when no live record has the id; on a live record it is idempotent when
 * this client wrote the current version with the same value, and a conflict otherwise. Deleting a
 * deleted record is applied (nothing to do).
 */
async function applyMutation(
  runtime: Runtime,
  tx: Queryable,
  user: AuthUser,
  clientId: string,
  config: CollectionConfig,
  m: Mutation,
  changed: Map<string, ChangeEvent>,
): Promise<{ result: MutationResult; wrote: boolean }> {
  const answer = (result: MutationResult) => ({ result, wrote: false });
  const reject = (reason: 'read-only' | 'forbidden' | 'invalid', message: string) =>
    answer({ mutationId: m.mutationId, status: 'rejected', reason, message });
  if (config.readOnly) return reject('read-only', `Collection ${config.name} is read-only`);
  if (m.op === 'put' && m.value === undefined) return reject('invalid', 'A put needs a value');
  if (m.op === 'delete' && m.baseRev === null) return reject('invalid', 'A delete needs a baseRev');
  if (runtime.options.canWrite?.(user, { collection: m.collection, id: m.id, op: m.op }) === false) {
    return reject('forbidden', 'Not allowed to write this record');
  }
  const owner = runtime.owner(config, user.userId);
  const current = await readRecord(tx, config.name, owner, m.id);
  const alive = current !== null && !current.deleted;
  const conflict = () =>
    answer({
      mutationId: m.mutationId,
      status: 'conflict',
      current: current === null ? null : toChange(current),
    });
  const unchanged = (rev: number) =>
    answer({ mutationId: m.mutationId, status: 'applied', rev: String(rev) });

  if (m.op === 'put') {
    if (m.baseRev === null) {
      if (alive) {
        const same =
          current.writtenBy === clientId && canonicalJson(current.value) === canonicalJson(m.value);
        return same ? unchanged(current.rev) : conflict();
      }
    } else if (current === null || String(current.rev) !== m.baseRev) {
      return conflict();
    }
  } else if (current?.deleted) {
    return unchanged(current.rev);
  } else if (alive && String(current.rev) !== m.baseRev) {
    return conflict();
  }
  const seq = await writeRecord(tx, {
    collection: config.name,
    owner,
    id: m.id,
    value: m.op === 'put' ? m.value! : null,
    writtenBy: clientId,
  });
  changed.set(`${config.name}\u0000${owner}`, { collection: config.name, owner, seq });
  return { result: { mutationId: m.mutationId, status: 'applied', rev: String(seq) }, wrote: true };
}

/** Counts for the log line: CHANGE and DELETE count only writes made by this request. */
function count(stats: RequestStats, mutation: Mutation, result: MutationResult, wrote: boolean): void {
  if (result.status === 'conflict') stats.conflict += 1;
  else if (result.status === 'rejected') stats.rejected += 1;
  else if (!wrote) return;
  else if (mutation.op === 'put') stats.change += 1;
  else stats.delete += 1;
}

/** Keeps the newest `keep` results of the client. */
async function pruneResults(db: Database, clientId: string, keep: number): Promise<void> {
  await db.query(
    `DELETE FROM mutation_results WHERE client_id = $1
       AND mutation_id <= (SELECT last_mutation_id FROM clients WHERE client_id = $1) - $2`,
    [clientId, keep],
  );
}
