import { recordIdSchema } from '../../src/protocol/messages.js';
import type { Database } from '../db/database.js';
import { toInt } from '../db/database.js';
import type { ChangeEvent } from '../notify/change-bus.js';
import { lockSequence } from '../sync/records.js';
import { checkId, checkValue, type ValueLimits } from '../sync/storable.js';

/**
 * The input of an import is wrong (malformed line, record without a valid id): the batches before
 * the bad record were committed (`imported`); fix the input and import again (it overwrites).
 */
export class ImportInputError extends Error {
  override readonly name = 'ImportInputError';

  constructor(
    message: string,
    /** Records committed before the bad one. */
    readonly imported: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Progress of a bulk import, reported after each committed batch. */
export interface ImportProgress {
  /** Records committed so far. */
  imported: number;
  /** Batches committed so far. */
  batches: number;
  /** Milliseconds since the import started. */
  ms: number;
}

/** Outcome of a bulk import. */
export interface ImportResult extends ImportProgress {
  /** The collection imported into. */
  collection: string;
  /** The owner key: the user id, or `''` for a shared collection. */
  owner: string;
  /** Change-log position of the first and last record written (`null` when nothing was imported). */
  firstRev: number | null;
  /** Change-log position of the last record written (`null` when nothing was imported). */
  lastRev: number | null;
}

/** Options of {@link importRecords}. */
export interface ImportOptions {
  collection: string;
  /** The owner key: the user id for per-user collections, `''` for shared ones. */
  owner: string;
  /** Field of each record holding its id (a string, or a number written as a string). Default `'id'`. */
  key?: string;
  /** The limits of values, as for pushes (a record over them stops the import). */
  limits: ValueLimits;
  /** Records per transaction. Default 5,000. */
  batchSize?: number;
  /** Called after each committed batch. */
  onProgress?: (progress: ImportProgress) => void;
  /** Called after each committed batch with the change to announce (pokes). */
  onCommit?: (event: ChangeEvent) => void;
}

/**
 * Writes records in bulk into a collection, as the server: each record is a put at its own
 * change-log position (one revision per record, so clients pull them incrementally, page by page),
 * overwriting a record of the same id. Batches of `batchSize` records commit one transaction each,
 * holding the collection's sequence lock like any writer, so readers never see a hole in the log;
 * an error stops the import with the batches before it committed (importing again is safe: it
 * overwrites). Records are sent to the database as one JSON document per batch.
 */
export async function importRecords(
  db: Database,
  records: AsyncIterable<Record<string, unknown>> | Iterable<Record<string, unknown>>,
  options: ImportOptions,
): Promise<ImportResult> {
  const key = options.key ?? 'id';
  const batchSize = options.batchSize ?? 5000;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1)
    throw new Error('batchSize must be a positive integer');
  const started = performance.now();
  const result: ImportResult = {
    collection: options.collection,
    owner: options.owner,
    imported: 0,
    batches: 0,
    ms: 0,
    firstRev: null,
    lastRev: null,
  };
  // Ids of one batch are unique (a statement cannot write one row twice): a later record of the
  // same id replaces the earlier one, as it would in separate batches.
  let batch = new Map<string, string>();
  let position = 0;
  // One batch in the database while the next one is read and encoded: the two overlap.
  let inFlight: Promise<void> = Promise.resolve();
  const flush = async () => {
    if (batch.size === 0) return;
    const entries = [...batch.values()];
    batch = new Map();
    await inFlight;
    inFlight = writeBatch(
      db,
      options.collection,
      options.owner,
      `[${entries.join(',')}]`,
      entries.length,
    ).then((last) => {
      result.firstRev ??= last - entries.length + 1;
      result.lastRev = last;
      result.imported += entries.length;
      result.batches += 1;
      result.ms = performance.now() - started;
      options.onCommit?.({ collection: options.collection, owner: options.owner, seq: last });
      options.onProgress?.({ imported: result.imported, batches: result.batches, ms: result.ms });
    });
    // Awaited before the next batch or at the end; until then a failure must not go unhandled.
    inFlight.catch(() => {});
  };
  /** Stops at bad input, once the batch in the database has committed (or failed: that error wins). */
  const inputError = async (message: string, cause?: unknown) => {
    await inFlight;
    return new ImportInputError(message, result.imported, cause === undefined ? undefined : { cause });
  };
  const iterator =
    Symbol.asyncIterator in records ? records[Symbol.asyncIterator]() : records[Symbol.iterator]();
  for (;;) {
    let next: IteratorResult<Record<string, unknown>>;
    try {
      next = await iterator.next();
    } catch (error) {
      throw await inputError((error as Error).message, error);
    }
    if (next.done) break;
    const record = next.value;
    position += 1;
    const raw = record[key];
    const id = typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : raw;
    if (typeof id !== 'string' || !recordIdSchema.safeParse(id).success) {
      await iterator.return?.();
      throw await inputError(
        `record ${position}: field "${key}" must hold the record id (a non-empty string of at most 256 characters, or a number)`,
      );
    }
    const idProblem = checkId(id);
    const checked =
      idProblem === undefined ? checkValue(record, options.limits) : { ok: false as const, ...idProblem };
    if (!checked.ok) {
      await iterator.return?.();
      throw await inputError(`record ${position} (id ${JSON.stringify(id)}): ${checked.message}`);
    }
    batch.delete(id);
    batch.set(id, `{"i":${JSON.stringify(id)},"b":${checked.bytes},"v":${checked.json}}`);
    if (batch.size >= batchSize) await flush();
  }
  await flush();
  await inFlight;
  result.ms = performance.now() - started;
  return result;
}

/** One batch in one transaction: takes `count` positions at once and writes the rows. Returns the last position. */
async function writeBatch(
  db: Database,
  collection: string,
  owner: string,
  json: string,
  count: number,
): Promise<number> {
  return db.transaction(async (tx) => {
    await lockSequence(tx, collection, owner);
    const { rows } = await tx.query<{ seq: unknown }>(
      `UPDATE collection_seq SET seq = seq + $3 WHERE collection = $1 AND owner = $2 RETURNING seq`,
      [collection, owner, count],
    );
    const last = toInt(rows[0]!.seq);
    await tx.query(
      `INSERT INTO records (collection, owner, id, rev, deleted, value, value_bytes, written_by, updated_at)
       SELECT $1, $2, e->>'i', $3 + ord, false, e->'v', (e->>'b')::integer, NULL, now()
       FROM jsonb_array_elements($4::jsonb) WITH ORDINALITY AS t(e, ord)
       ON CONFLICT (collection, owner, id) DO UPDATE
         SET rev = EXCLUDED.rev, deleted = false, value = EXCLUDED.value, value_bytes = EXCLUDED.value_bytes,
             written_by = NULL, updated_at = EXCLUDED.updated_at`,
      [collection, owner, last - count, json],
    );
    return last;
  });
}
