-- An application's own table, synced as the per-user collection `work_orders` with
-- appTable({ table: 'work_orders', key: 'id', owner: 'technician_id', columns: {...} }).
-- Nothing in it is idb-sync's: the sync server adds triggers on it (idb_sync_capture*) and keeps
-- each row's change-log position in its own `records` table.
CREATE TABLE IF NOT EXISTS work_orders (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  technician_id text NOT NULL,
  title text NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
  priority integer NOT NULL DEFAULT 3,
  due_date date,
  -- The back office's own column: not synced (left out of `columns`), never sent, never overwritten.
  internal_notes text
);
CREATE INDEX IF NOT EXISTS work_orders_technician ON work_orders (technician_id);
