import type { Database, Queryable } from './db/database.js';
import { toInt } from './db/database.js';
import { SERVICE_CATEGORIES } from './seed-categories.js';
import { lockSequence } from './sync/records.js';

/** Outcome of one seeding step, for the report. */
export interface SeedResult {
  collection: string;
  owner: string;
  rows: number;
  ms: number;
  /** Average size of a value as JSON text, in bytes. */
  avgValueBytes: number;
}

// Word lists for plausible text; rows pick from them with different strides so neighbours differ.
const sql = String.raw;
const arr = (words: string[]) => `ARRAY[${words.map((w) => `'${w.replaceAll("'", "''")}'`).join(',')}]`;
const CATEGORIES = arr([...SERVICE_CATEGORIES]);
const ADJECTIVES = arr([
  'Emergency',
  'Scheduled',
  'Preventive',
  'Full',
  'Partial',
  'Express',
  'Seasonal',
  'Annual',
  'Residential',
  'Commercial',
  'Premium',
  'Basic',
  'Extended',
  'Quick',
  'Certified',
  'Deep',
]);
const NOUNS = arr([
  'boiler',
  'water heater',
  'circuit breaker',
  'roof gutter',
  'kitchen sink',
  'heat pump',
  'door lock',
  'hardwood floor',
  'garden irrigation',
  'air duct',
  'dishwasher',
  'ceiling fan',
  'window frame',
  'sewer line',
  'thermostat',
  'garage door',
  'bathroom tile',
  'smoke detector',
  'fence panel',
  'chimney',
]);
const ACTIONS = arr([
  'inspection',
  'repair',
  'replacement',
  'installation',
  'maintenance',
  'cleaning',
  'diagnosis',
  'tune-up',
  'upgrade',
  'calibration',
]);
const UNITS = arr(['hour', 'visit', 'item', 'square metre', 'linear metre', 'day']);
const TAGS = arr([
  'urgent',
  'weekend',
  'outdoor',
  'indoor',
  'warranty',
  'insured',
  'two-person',
  'ladder',
  'permit',
  'eco',
  'night',
  'parts-included',
  'follow-up',
  'safety',
  'quote-first',
  'pets-ok',
]);
const SENTENCES = arr([
  'The technician checks every connection and documents the condition with photos before starting.',
  'Replacement parts are taken from the van stock whenever possible to avoid a second visit.',
  'Customers receive a written summary of the work done together with maintenance advice.',
  'Access to the main shut-off valve and the electrical panel must be possible on arrival.',
  'Work is carried out according to the applicable building codes and manufacturer guidelines.',
  'Old parts and packaging are removed and disposed of in line with local recycling rules.',
  'A safety perimeter is set up when working at height or near public footpaths.',
  'The price includes travel within the service area and the first thirty minutes of labour.',
  'If hidden damage is found the technician stops and asks for approval before continuing.',
  'Protective covers are placed on floors and furniture close to the work area.',
  'The system is tested under normal load and the readings are recorded in the work order.',
  'Appointments can be moved free of charge up to twenty-four hours before the slot.',
  'Any warranty claim must be registered with the serial number of the installed equipment.',
  'Noise-producing work is planned between eight in the morning and six in the evening.',
  'The customer is shown how to operate the equipment safely once the work is complete.',
  'Materials with a long lead time are ordered after the quote has been accepted.',
  'Results of pressure and leak tests are attached to the final report for reference.',
  'Technicians carry identification and announce themselves at the reception on arrival.',
  'A follow-up call is scheduled one week later to confirm everything works as expected.',
  'Photos taken on site are stored with the work order and never shared with third parties.',
]);

/**
 * Seeds `count` rows of the shared lookup collection `service_types` (~1 KB each: code, name,
 * category, tags, search tokens, description, instructions, price, timestamps) with one
 * INSERT … SELECT generate_series, in one transaction that also advances the change log, so a
 * 100,000-row seed takes seconds. Ids are `st-000001`…; seeding again overwrites them (new revs).
 */
export async function seedServiceTypes(
  db: Database,
  count: number,
  options: { offset?: number } = {},
): Promise<SeedResult> {
  const offset = options.offset ?? 0;
  return seedRows(
    db,
    'service_types',
    '',
    count,
    sql`
    SELECT 'st-' || lpad((g + $4)::text, 6, '0') AS id, jsonb_build_object(
      'id', 'st-' || lpad((g + $4)::text, 6, '0'),
      'code', 'ST-' || lpad((g + $4)::text, 6, '0'),
      'name', (${ADJECTIVES})[1 + g % 16] || ' ' || (${NOUNS})[1 + (g / 16) % 20] || ' ' || (${ACTIONS})[1 + (g / 320) % 10],
      'category', (${CATEGORIES})[1 + (g * 7) % ${SERVICE_CATEGORIES.length}],
      'subcategory', (${NOUNS})[1 + (g * 3) % 20],
      'tags', jsonb_build_array((${TAGS})[1 + g % 16], (${TAGS})[1 + (g * 5 + 3) % 16], (${TAGS})[1 + (g * 11 + 7) % 16]),
      'tokens', jsonb_build_array(
        lower((${ADJECTIVES})[1 + g % 16]), lower((${NOUNS})[1 + (g / 16) % 20]),
        lower((${ACTIONS})[1 + (g / 320) % 10]), 'st' || (g + $4)::text),
      'description', (${SENTENCES})[1 + g % 20] || ' ' || (${SENTENCES})[1 + (g * 3 + 1) % 20] || ' '
        || (${SENTENCES})[1 + (g * 7 + 2) % 20] || ' ' || (${SENTENCES})[1 + (g * 13 + 5) % 20] || ' '
        || (${SENTENCES})[1 + (g * 17 + 11) % 20],
      'instructions', (${SENTENCES})[1 + (g * 19 + 4) % 20] || ' ' || (${SENTENCES})[1 + (g * 23 + 9) % 20],
      'unit', (${UNITS})[1 + g % 6],
      'price', round((20 + (g * 37) % 480 + ((g * 13) % 100) / 100.0)::numeric, 2),
      'durationMinutes', 15 * (1 + (g * 7) % 32),
      'active', g % 50 <> 0,
      'supplierRef', upper(substr(md5(g::text), 1, 12)),
      'createdAt', to_char(timestamp '2023-01-01' + (g % 700) * interval '1 day', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
      'updatedAt', to_char(timestamp '2024-06-01' + (g % 300) * interval '1 day' + (g % 86400) * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
    ) AS value
    FROM generate_series(1, $3) AS g`,
    [offset],
  );
}

/** Seeds `count` per-user `customers` of `userId` (ids `cu-00001`…). */
export async function seedCustomers(db: Database, userId: string, count: number): Promise<SeedResult> {
  return seedRows(
    db,
    'customers',
    userId,
    count,
    sql`
    SELECT 'cu-' || lpad(g::text, 5, '0') AS id, jsonb_build_object(
      'id', 'cu-' || lpad(g::text, 5, '0'),
      'name', (${arr(['Anna', 'Ben', 'Chloé', 'Dmitri', 'Emma', 'Farid', 'Greta', 'Hugo', 'Ines', 'Jonas'])})[1 + g % 10]
        || ' ' || (${arr(['Martin', 'Bernard', 'Dubois', 'Keller', 'Rossi', 'Novak', 'Larsen', 'Silva'])})[1 + (g / 10) % 8],
      'email', 'customer' || g || '@example.com',
      'phone', '+33 1 ' || lpad(((g * 7919) % 100000000)::text, 8, '0'),
      'address', (g % 200 + 1)::text || ' ' || (${arr(['rue de la Paix', 'Main Street', 'Hauptstraße', 'Via Roma', 'Calle Mayor'])})[1 + g % 5],
      'createdAt', to_char(timestamp '2024-01-01' + g * interval '1 hour', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
    ) AS value
    FROM generate_series(1, $3) AS g`,
  );
}

/** Seeds `count` per-user `work_orders` of `userId` (ids `wo-00001`…), referring to customers and service types. */
export async function seedWorkOrders(db: Database, userId: string, count: number): Promise<SeedResult> {
  return seedRows(
    db,
    'work_orders',
    userId,
    count,
    sql`
    SELECT 'wo-' || lpad(g::text, 5, '0') AS id, jsonb_build_object(
      'id', 'wo-' || lpad(g::text, 5, '0'),
      'title', (${ACTIONS})[1 + g % 10] || ' of ' || (${NOUNS})[1 + (g * 3) % 20],
      'status', (${arr(['open', 'scheduled', 'in_progress', 'done', 'cancelled'])})[1 + g % 5],
      'priority', (${arr(['low', 'normal', 'high', 'urgent'])})[1 + (g * 7) % 4],
      'customerId', 'cu-' || lpad((1 + g % 50)::text, 5, '0'),
      'serviceTypeId', 'st-' || lpad((1 + (g * 97) % 1000)::text, 6, '0'),
      'scheduledAt', to_char(timestamp '2025-01-06 08:00' + g * interval '90 minutes', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
      'notes', (${SENTENCES})[1 + g % 20],
      'updatedAt', to_char(timestamp '2025-01-01' + g * interval '1 hour', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
    ) AS value
    FROM generate_series(1, $3) AS g`,
  );
}

/**
 * Inserts (or overwrites) the rows of `select` (columns `id`, `value`; parameters `$1`
 * collection, `$2` owner, `$3` count, `$4…` extra) with consecutive revs after the collection's
 * current seq, all in one transaction holding the sequence lock.
 */
async function seedRows(
  db: Database,
  collection: string,
  owner: string,
  count: number,
  select: string,
  extra: unknown[] = [],
): Promise<SeedResult> {
  if (!Number.isSafeInteger(count) || count < 0) throw new Error('count must be a non-negative integer');
  const started = performance.now();
  await db.transaction(async (tx: Queryable) => {
    const base = await lockSequence(tx, collection, owner);
    await tx.query(
      `INSERT INTO records (collection, owner, id, rev, deleted, value, written_by, updated_at)
       SELECT $1, $2, s.id, ${base} + row_number() OVER (ORDER BY s.id), false, s.value, NULL, now()
       FROM (${select}) AS s
       ON CONFLICT (collection, owner, id) DO UPDATE
         SET rev = EXCLUDED.rev, deleted = false, value = EXCLUDED.value, written_by = NULL, updated_at = now()`,
      [collection, owner, count, ...extra],
    );
    await tx.query(`UPDATE collection_seq SET seq = seq + $3 WHERE collection = $1 AND owner = $2`, [
      collection,
      owner,
      count,
    ]);
  });
  const ms = performance.now() - started;
  const { rows } = await db.query<{ avg: unknown }>(
    `SELECT coalesce(round(avg(length(value::text))), 0)::int AS avg FROM records WHERE collection = $1 AND owner = $2 AND NOT deleted`,
    [collection, owner],
  );
  return { collection, owner, rows: count, ms, avgValueBytes: toInt(rows[0]!.avg) };
}
