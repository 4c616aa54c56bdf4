import {
  type Mutation,
  type MutationResult,
  type PushRequest,
  type PushResponse,
  REJECT_CODES,
} from '../../src/protocol/messages.js';
import { PROTOCOL_VERSION } from '../../src/protocol/version.js';
import type { AuthUser, CollectionConfig } from '../config.js';
import type { Database, Queryable } from '../db/database.js';
import { toInt } from '../db/database.js';
import { isContentError, isRetryableConflict } from '../db/db-errors.js';
import type { ChangeEvent } from '../notify/change-bus.js';
import type { CollectionStore } from '../storage/collection-store.js';
import { ProtocolError } from './protocol-error.js';
import { canonicalJson, lockSequence, toChange } from './records.js';
import type { Runtime } from './runtime.js';
import type { RequestStats } from './stats.js';
import { checkId, checkValue } from './storable.js';

/** Mutations applied per database transaction: bounds how long one push holds its locks. */
const CHUNK = 100;

/** Tries of a transaction the database aborted to break a deadlock or a serialization conflict. */
const CONFLICT_TRIES = 3;

/** A mutation after the checks made before any transaction: its config, owner and JSON value, or its refusal. */
interface Prepared {
  mutation: Mutation;
  config: CollectionConfig;
  owner: string;
  store: CollectionStore;
  /** The value's JSON text (puts that passed the checks). */
  json?: string;
  bytes?: number;
  /** The answer when the mutation is refused before anything is written (not stored yet). */
  refusal?: MutationResult;
}

/**
 * Applies a push exactly once per mutation id, **atomically per mutation** (docs/protocol.md#push):
 * each mutation's effect, its stored result and the client's last mutation id commit together, in
 * request order. Values and ids the database cannot store or that exceed the limits are refused
 * (`rejected`, reason `invalid`, with a code) before anything is written, so a push never fails
 * forever on its content. For speed, up to {@link CHUNK} mutations share a transaction: it locks
 * the client row (so two tries of one push cannot run at once), then the sequences it will write in
 * sorted order (the one lock order of every writer, so writers cannot deadlock). If the request
 * fails half-way, a prefix of its mutations is applied and its retry answers them from storage.
 */
export async function push(
  runtime: Runtime,
  db: Database,
  user: AuthUser,
  request: PushRequest,
  stats: RequestStats,
): Promise<PushResponse> {
  if (request.mutations.length > runtime.options.maxMutationsPerPush) {
    throw tooManyMutations(runtime.options.maxMutationsPerPush);
  }
  if (checkId(request.clientId) !== undefined) {
    throw new ProtocolError(
      'INVALID_REQUEST',
      'The clientId holds a NUL character or an unpaired surrogate',
      {
        issues: [{ path: 'clientId', message: 'not storable' }],
      },
    );
  }
  // Refuse the whole push before touching anything when one collection is unknown.
  const prepared = request.mutations.map((m) => prepare(runtime, user, m));
  await bindClient(db, request.clientId, user.userId);

  const results: MutationResult[] = [];
  for (const chunk of chunks(prepared)) {
    let outcome: ChunkOutcome;
    try {
      outcome = await applyChunk(runtime, db, user, request.clientId, chunk);
    } catch (error) {
      if (!isContentError(error) || chunk.length === 0) throw error;
      // Content the checks did not foresee (a database limit): find the mutations that cause it, one
      // transaction each, and refuse those; the others apply as usual.
      outcome = { results: [], changed: new Map(), written: new Set() };
      for (const one of chunk) {
        const single = await applyChunk(runtime, db, user, request.clientId, [one]).catch(
          async (singleError: unknown) => {
            if (!isContentError(singleError)) throw singleError;
            logContentError(runtime, user, one.mutation, singleError);
            const refused = refuse(
              one.mutation,
              REJECT_CODES.notStorable,
              'The database cannot store this value',
            );
            return applyChunk(runtime, db, user, request.clientId, [{ ...one, refusal: refused }]);
          },
        );
        outcome.results.push(...single.results);
        for (const [key, event] of single.changed) outcome.changed.set(key, event);
        for (const id of single.written) outcome.written.add(id);
      }
    }
    for (const [i, result] of outcome.results.entries()) {
      const mutation = chunk[i]!.mutation;
      count(stats, mutation, result, outcome.written.has(result.mutationId));
      if (result.status === 'rejected' && result.reason === 'read-only') {
        runtime.log({
          level: 'warn',
          msg: `push rejected: collection ${mutation.collection} is read-only (user ${user.userId}, mutation ${result.mutationId})`,
          event: 'push-rejected',
          userId: user.userId,
          collection: mutation.collection,
          mutationId: result.mutationId,
          reason: result.reason,
        });
      }
    }
    results.push(...outcome.results);
    // After COMMIT: a poke never announces a change a pull cannot see yet.
    for (const event of outcome.changed.values()) runtime.bus.publish(event);
  }
  await pruneResults(db, request.clientId, runtime.options.mutationResultRetention);
  return { protocolVersion: PROTOCOL_VERSION, results };
}

/**
 * Groups mutations into transactions: up to {@link CHUNK} in a row, except that a mutation of a
 * `row-first` store (an application's table) is alone in its transaction. Its write locks the
 * change log at the end (the table's trigger does), so a transaction that went on to lock another
 * row of that table while holding it could deadlock with the application's own writers.
 */
function* chunks(prepared: readonly Prepared[]): Generator<Prepared[]> {
  let chunk: Prepared[] = [];
  for (const p of prepared) {
    const alone = p.store.lockOrder === 'row-first';
    if (chunk.length > 0 && (alone || chunk.length >= CHUNK)) {
      yield chunk;
      chunk = [];
    }
    chunk.push(p);
    if (alone) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** `413 PAYLOAD_TOO_LARGE` for a push with more than `max` mutations. */
export function tooManyMutations(max: number): ProtocolError {
  return new ProtocolError('PAYLOAD_TOO_LARGE', `A push may carry at most ${max} mutations`, {
    maxMutationsPerPush: max,
  });
}

/** The checks made before any transaction (throws `UNKNOWN_COLLECTION`). */
function prepare(runtime: Runtime, user: AuthUser, m: Mutation): Prepared {
  const config = runtime.collection(m.collection);
  const prepared: Prepared = {
    mutation: m,
    config,
    owner: runtime.owner(config, user.userId),
    store: runtime.store(config),
  };
  const idProblem = checkId(m.id);
  if (idProblem !== undefined) return { ...prepared, refusal: refuse(m, idProblem.code, idProblem.message) };
  if (m.op !== 'put' || m.value === undefined || config.readOnly) return prepared;
  const checked = checkValue(m.value, runtime.options);
  if (!checked.ok) return { ...prepared, refusal: refuse(m, checked.code, checked.message) };
  return { ...prepared, json: checked.json, bytes: checked.bytes };
}

function refuse(m: Mutation, code: string, message: string): MutationResult {
  return { mutationId: m.mutationId, status: 'rejected', reason: 'invalid', code, message };
}

function logContentError(runtime: Runtime, user: AuthUser, m: Mutation, error: unknown): void {
  runtime.log({
    level: 'warn',
    msg: `push rejected: the database refused the value of mutation ${m.mutationId} (user ${user.userId}, collection ${m.collection}): ${(error as Error).message}`,
    event: 'push-rejected',
    userId: user.userId,
    collection: m.collection,
    mutationId: m.mutationId,
    reason: 'invalid',
    code: REJECT_CODES.notStorable,
  });
}

interface ChunkOutcome {
  results: MutationResult[];
  changed: Map<string, ChangeEvent>;
  /** Mutation ids whose write happened in this request (not answered from storage, not a no-op). */
  written: Set<number>;
}

/** Applies mutations in one transaction, retried when the database aborts it for a deadlock. */
async function applyChunk(
  runtime: Runtime,
  db: Database,
  user: AuthUser,
  clientId: string,
  chunk: readonly Prepared[],
): Promise<ChunkOutcome> {
  for (let attempt = 1; ; attempt++) {
    const changed = new Map<string, ChangeEvent>();
    const written = new Set<number>();
    try {
      const results = await db.transaction(async (tx) => {
        const { rows } = await tx.query<{ last_mutation_id: unknown }>(
          `SELECT last_mutation_id FROM clients WHERE client_id = $1 FOR UPDATE`,
          [clientId],
        );
        let last = toInt(rows[0]!.last_mutation_id);
        const sequences = [
          ...new Set(
            chunk.flatMap((p) =>
              p.mutation.mutationId > last &&
              p.refusal === undefined &&
              !p.config.readOnly &&
              p.store.lockOrder === 'sequence-first'
                ? [JSON.stringify([p.config.name, p.owner])]
                : [],
            ),
          ),
        ].sort();
        for (const key of sequences) {
          const [collection, owner] = JSON.parse(key) as [string, string];
          await lockSequence(tx, collection, owner);
        }
        const out: MutationResult[] = [];
        for (const p of chunk) {
          if (p.mutation.mutationId <= last) {
            out.push(await storedResult(tx, clientId, p.mutation.mutationId));
            continue;
          }
          const { result, wrote } =
            p.refusal === undefined
              ? await applyMutation(runtime, tx, user, clientId, p, changed)
              : { result: p.refusal, wrote: false };
          if (wrote) written.add(p.mutation.mutationId);
          await tx.query(
            `INSERT INTO mutation_results (client_id, mutation_id, result, user_id) VALUES ($1, $2, $3::jsonb, $4)`,
            [clientId, p.mutation.mutationId, JSON.stringify(result), user.userId],
          );
          last = p.mutation.mutationId;
          out.push(result);
        }
        await tx.query(
          `UPDATE clients SET last_mutation_id = $2, last_push_at = now() WHERE client_id = $1`,
          [clientId, last],
        );
        // Delivered to the other instances on COMMIT, with the commit (PostgreSQL).
        if (changed.size > 0) await runtime.notifier.changed(tx, [...changed.values()]);
        return out;
      });
      return { results, changed, written };
    } catch (error) {
      if (!isRetryableConflict(error) || attempt >= CONFLICT_TRIES) throw error;
    }
  }
}

/** Binds a new client id to `userId`; a client id of another user is `CLIENT_ID_FORBIDDEN`. */
async function bindClient(db: Database, clientId: string, userId: string): Promise<void> {
  const read = () =>
    db.query<{ user_id: string }>(`SELECT user_id FROM clients WHERE client_id = $1`, [clientId]);
  let { rows } = await read();
  if (rows[0] === undefined) {
    // A user from a custom `authenticate` hook has no row in `users` yet: add one (clients refer to it).
    await db.transaction(async (tx) => {
      await tx.query(`INSERT INTO users (id, name) VALUES ($1, $1) ON CONFLICT (id) DO NOTHING`, [userId]);
      await tx.query(
        `INSERT INTO clients (client_id, user_id) VALUES ($1, $2) ON CONFLICT (client_id) DO NOTHING`,
        [clientId, userId],
      );
    });
    ({ rows } = await read());
  }
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
  p: Prepared,
  changed: Map<string, ChangeEvent>,
): Promise<{ result: MutationResult; wrote: boolean }> {
  const { mutation: m, config, owner, store } = p;
  const scope = { collection: config.name, owner };
  const answer = (result: MutationResult) => ({ result, wrote: false });
  const reject = (reason: 'read-only' | 'forbidden' | 'invalid', message: string) =>
    answer({ mutationId: m.mutationId, status: 'rejected', reason, message });
  if (config.readOnly) return reject('read-only', `Collection ${config.name} is read-only`);
  if (m.op === 'put' && m.value === undefined) return reject('invalid', 'A put needs a value');
  if (m.op === 'delete' && m.baseRev === null) return reject('invalid', 'A delete needs a baseRev');
  if (runtime.options.canWrite?.(user, { collection: m.collection, id: m.id, op: m.op }) === false) {
    return reject('forbidden', 'Not allowed to write this record');
  }
  const current = await store.read(tx, scope, m.id);
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
  const outcome = await store.write(tx, scope, {
    id: m.id,
    value: m.op === 'put' ? m.value! : null,
    ...(p.json === undefined ? {} : { json: p.json, bytes: p.bytes! }),
    writtenBy: clientId,
  });
  if ('refused' in outcome) {
    const { reason, code, message } = outcome.refused;
    return answer({ mutationId: m.mutationId, status: 'rejected', reason, code, message });
  }
  const seq = outcome.rev;
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
