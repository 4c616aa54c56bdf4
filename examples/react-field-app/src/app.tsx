// The field app in React: the demo's flows on `idb-sync/react` — a "newer version" banner, the sync
// panel, the work orders (edited offline, synced when back), the service type picker (search and
// paging) and the conflict log. Every list re-renders by itself when its records change: edits here,
// in another tab, or on another device (through the server).
import {
  useConflictLog,
  useConnection,
  useDatabaseStatus,
  useLastRun,
  useLiveQuery,
  useLiveSearch,
  usePendingWrites,
  useSyncProgress,
  useSyncStatus,
} from 'idb-sync/react';
import { type FormEvent, useState } from 'react';
import type { FieldClient, FieldDatabase } from '../../shared/field-app.js';

export interface FieldAppProps {
  readonly db: FieldDatabase;
  readonly client: FieldClient;
}

export function FieldApp({ db, client }: FieldAppProps) {
  return (
    <main>
      <NewerVersionBanner db={db} />
      <h1>Field app</h1>
      <SyncPanel db={db} client={client} />
      <WorkOrders db={db} />
      <ServiceTypePicker db={db} />
      <ConflictLog db={db} client={client} />
    </main>
  );
}

function NewerVersionBanner({ db }: { db: FieldDatabase }) {
  const { reloadRequired, blocked } = useDatabaseStatus(db);
  if (reloadRequired)
    return (
      <p role="alert" data-testid="newer-version">
        A newer version of the app is active.{' '}
        <button type="button" onClick={() => location.reload()}>
          Reload
        </button>
      </p>
    );
  if (blocked) return <p role="alert">Close the app's other tabs to finish the upgrade.</p>;
  return null;
}

function SyncPanel({ db, client }: FieldAppProps) {
  const status = useSyncStatus(client);
  const connection = useConnection(client);
  const progress = useSyncProgress(client);
  const run = useLastRun(client);
  const { data: pending } = usePendingWrites(client, db);
  return (
    <section aria-label="Sync">
      <p>
        Sync: <span data-testid="sync-status">{status}</span> over{' '}
        <span data-testid="connection">{connection}</span>
      </p>
      {progress !== null && (
        <p>
          {progress.mode} sync of {progress.collection}:{' '}
          <progress max={progress.total} value={progress.done} /> {progress.done}
          {progress.total === undefined ? '' : ` / ${progress.total}`}
        </p>
      )}
      <p>
        Not synced yet: <span data-testid="pending">{pending ?? '…'}</span>
      </p>
      <p data-testid="last-run">
        {run === null ? 'Not synced yet' : `Last run: ${run.outcome}, ${run.push.applied} pushed`}
      </p>
      <button type="button" data-testid="sync-now" onClick={() => void client.sync()}>
        Sync now
      </button>
    </section>
  );
}

function WorkOrders({ db }: { db: FieldDatabase }) {
  const [editing, setEditing] = useState<string>();
  const { data: orders, error } = useLiveQuery(db, ['work_orders'], (tx) =>
    tx.objectStore('work_orders').getAll(),
  );
  if (error !== undefined) return <p role="alert">Cannot read the work orders: {String(error)}</p>;
  return (
    <section aria-label="Work orders">
      <h2>Work orders</h2>
      {orders === undefined ? (
        <p>Loading…</p>
      ) : (
        <ul data-testid="work-orders">
          {orders.map((order) => (
            <li key={order.id} data-id={order.id}>
              {editing === order.id ? (
                <TitleForm db={db} id={order.id} title={order.title} onDone={() => setEditing(undefined)} />
              ) : (
                <>
                  <span className="title">{order.title}</span> <small>({order.status})</small>{' '}
                  <button type="button" className="edit" onClick={() => setEditing(order.id)}>
                    Edit
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function TitleForm({
  db,
  id,
  title,
  onDone,
}: {
  db: FieldDatabase;
  id: string;
  title: string;
  onDone: () => void;
}) {
  const [value, setValue] = useState(title);
  const save = async (event: FormEvent) => {
    event.preventDefault();
    // The ordinary typed put is the synced write: the record and its outbox entry commit together,
    // offline or not, and the sync client pushes it when it can. (Read first: no await inside a
    // write transaction, which Safari lets go inactive.)
    const order = await db.get('work_orders', id);
    if (order !== undefined)
      await db.put('work_orders', { ...order, title: value, updatedAt: new Date().toISOString() });
    onDone();
  };
  return (
    <form onSubmit={(event) => void save(event)}>
      <input
        name="title"
        aria-label="Title"
        value={value}
        onChange={(event) => setValue(event.target.value)}
      />
      <button type="submit">Save</button>
    </form>
  );
}

function ServiceTypePicker({ db }: { db: FieldDatabase }) {
  const [text, setText] = useState('');
  return (
    <section aria-label="Service types">
      <h2>Service types</h2>
      <input
        type="search"
        aria-label="Search service types"
        value={text}
        onChange={(event) => setText(event.target.value)}
      />
      {/* A cursor belongs to its query: a new text starts again from the first page. */}
      <ServiceTypePages key={text} db={db} text={text} />
    </section>
  );
}

function ServiceTypePages({ db, text }: { db: FieldDatabase; text: string }) {
  const [cursors, setCursors] = useState<string[]>([]);
  const after = cursors.at(-1);
  const { data: page, isLoading } = useLiveSearch(
    db,
    'service_types',
    { index: 'byToken', text, pageSize: 10, count: true, ...(after === undefined ? {} : { after }) },
    [],
    { keepPreviousData: true },
  );
  return (
    <div aria-busy={isLoading}>
      <p>{page?.total === undefined ? '' : `${page.total} found`}</p>
      <ul data-testid="service-types">
        {page?.items.map((st) => (
          <li key={st.id}>
            <code>{st.code}</code> {st.name}
          </li>
        ))}
      </ul>
      <button type="button" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
        Previous
      </button>
      <button
        type="button"
        disabled={page?.nextCursor === undefined}
        onClick={() => page?.nextCursor !== undefined && setCursors([...cursors, page.nextCursor])}
      >
        Next
      </button>
    </div>
  );
}

function ConflictLog({ db, client }: FieldAppProps) {
  const { data: entries = [], clear } = useConflictLog(client, db, 'work_orders');
  return (
    <section aria-label="Conflicts">
      <h2>Conflicts</h2>
      {entries.length === 0 ? (
        <p>None</p>
      ) : (
        <>
          <ul data-testid="conflicts">
            {entries.map((entry) => (
              <li key={entry.seq}>
                {entry.id}: {entry.rule} → {entry.winner}
              </li>
            ))}
          </ul>
          <button type="button" onClick={() => void clear()}>
            Clear
          </button>
        </>
      )}
    </section>
  );
}
