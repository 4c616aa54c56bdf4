/**
 * The server's own database schema, as numbered migrations. Each runs in one transaction together
 * with the update of `meta.schema_version`. `required` says whether code of this version can run
 * without it: a database missing a required migration is refused for sync (`update-required`), one
 * missing only optional ones (indexes, say) still serves (`update-advised`).
 *
 * Migrations are additive (expand/contract): an older server keeps working on a newer database,
 * which is what lets old and new server instances run side by side during a rollout.
 */
export interface Migration {
  version: number;
  description: string;
  required: boolean;
  /**
   * Runs outside a transaction, statement by statement, under a session advisory lock: for
   * `CREATE INDEX CONCURRENTLY`, which builds an index without blocking writes (a plain
   * `CREATE INDEX` on a big table blocks every push for as long as it takes). Its statements must be
   * safe to run again after a crash half-way (drop a half-built index first).
   */
  concurrently?: boolean;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'core tables: meta, users, tokens, clients, collection sequences, records',
    required: true,
    sql: `
      CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);
      -- epoch: identity of this database, bound into checkpoints (a restored or reinstalled
      -- database makes old checkpoints RESET_REQUIRED instead of silently wrong).
      INSERT INTO meta (key, value) VALUES
        ('schema_version', '0'),
        ('epoch', replace(gen_random_uuid()::text, '-', '')),
        ('checkpoint_secret', replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''));
      CREATE TABLE users (
        id text PRIMARY KEY,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      -- Only a SHA-256 of each token is stored: a leaked table does not leak credentials.
      CREATE TABLE tokens (
        token_hash text PRIMARY KEY,
        user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX tokens_user ON tokens (user_id);
      -- One client installation, bound to the first user that pushed with it.
      CREATE TABLE clients (
        client_id text PRIMARY KEY,
        user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        last_mutation_id bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_push_at timestamptz
      );
      -- The change-log position of each (collection, owner); owner '' is the shared scope.
      -- Writers lock this row (UPDATE ... RETURNING) to take the next seq, so commit order equals
      -- seq order and a reader never sees seq n+1 while n is still in flight.
      -- horizon: tombstones with rev <= horizon were compacted; older checkpoints must reset.
      CREATE TABLE collection_seq (
        collection text NOT NULL,
        owner text NOT NULL,
        seq bigint NOT NULL DEFAULT 0,
        horizon bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (collection, owner)
      );
      -- The data and the change log in one table: rev is the seq of the record's last change, so
      -- ordering by rev is the change log compacted to one entry per record (CouchDB's by-seq).
      -- Deleted records stay as tombstones (deleted, value NULL) until compacted.
      CREATE TABLE records (
        collection text NOT NULL,
        owner text NOT NULL,
        id text COLLATE "C" NOT NULL,
        rev bigint NOT NULL,
        deleted boolean NOT NULL DEFAULT false,
        value jsonb,
        written_by text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (collection, owner, id)
      );
      CREATE UNIQUE INDEX records_by_rev ON records (collection, owner, rev);
    `,
  },
  {
    version: 2,
    description: 'stored push results, so a retried mutation gets the same answer and is applied once',
    required: true,
    sql: `
      CREATE TABLE mutation_results (
        client_id text NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
        mutation_id bigint NOT NULL,
        result jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (client_id, mutation_id)
      );
    `,
  },
  {
    version: 3,
    description: 'index of tombstones by age, for compaction',
    required: false,
    concurrently: true,
    sql: `
      DROP INDEX CONCURRENTLY IF EXISTS records_tombstones;
      CREATE INDEX CONCURRENTLY records_tombstones ON records (updated_at) WHERE deleted;
    `,
  },
  {
    version: 4,
    description: 'size of each stored value, for the byte budget of pull pages',
    required: true,
    sql: `
      -- Bytes of the value's compact JSON as written; NULL for rows written before (or by bulk SQL),
      -- whose size pulls compute from the value instead.
      ALTER TABLE records ADD COLUMN value_bytes integer;
    `,
  },
  {
    version: 5,
    description: 'user of each stored push result, the distribution column of a sharded deployment',
    required: true,
    sql: `
      -- Every table a push writes then carries the user (records and collection_seq: owner;
      -- clients: user_id), so a push touches one user's rows only: one shard when distributed by
      -- user (docs/server.md#scaling-past-one-postgresql). NULL for results written before.
      ALTER TABLE mutation_results ADD COLUMN user_id text;
    `,
  },
  {
    version: 6,
    description: 'index of tombstones by collection, owner and age, for compaction one owner at a time',
    required: false,
    concurrently: true,
    sql: `
      DROP INDEX CONCURRENTLY IF EXISTS records_tombstones_by_owner;
      CREATE INDEX CONCURRENTLY records_tombstones_by_owner ON records (collection, owner, updated_at) WHERE deleted;
    `,
  },
];

/** Newest schema version this code knows. */
export const LATEST_SCHEMA_VERSION = migrations[migrations.length - 1]!.version;

/** Oldest schema version this code can serve sync from: the last required migration. */
export const MINIMUM_SCHEMA_VERSION = Math.max(...migrations.filter((m) => m.required).map((m) => m.version));
