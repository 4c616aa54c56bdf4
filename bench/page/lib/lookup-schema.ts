// The lookup store every implementation syncs into, declared once: the same key and the same
// indexes for raw IndexedDB, Dexie and idb-sync (RxDB cannot index array elements; see rxdb.ts).

/** The server collection and the local store name. */
export const LOOKUP = 'service_types';

/** The ~1 KB rows the reference server seeds (server/seed.ts). */
export interface ServiceType {
  id: string;
  code: string;
  name: string;
  category: string;
  subcategory: string;
  tags: string[];
  /** Lower-case search tokens: adjective, noun, action and `st<n>`. */
  tokens: string[];
  description: string;
  instructions: string;
  unit: string;
  price: number;
  durationMinutes: number;
  active: boolean;
  supplierRef: string;
  createdAt: string;
  updatedAt: string;
  [field: string]: unknown;
}

/** Indexes of the lookup store: a unique code, and a multiEntry token index for keyword search. */
export const LOOKUP_INDEXES = {
  byCode: { keyPath: 'code', unique: true, multiEntry: false },
  byToken: { keyPath: 'tokens', unique: false, multiEntry: true },
} as const;

/** Dexie's spelling of the same schema (`&` unique, `*` multiEntry). */
export const DEXIE_LOOKUP_SCHEMA = 'id, &code, *tokens';

/** Creates the lookup store with its indexes inside a versionchange transaction. */
export function createLookupStore(db: IDBDatabase): IDBObjectStore {
  const store = db.createObjectStore(LOOKUP, { keyPath: 'id' });
  for (const [name, index] of Object.entries(LOOKUP_INDEXES)) {
    store.createIndex(name, index.keyPath, { unique: index.unique, multiEntry: index.multiEntry });
  }
  return store;
}

/** Checkpoint store of the hand-written baselines: `{ collection, token }` saved with each page. */
export const CHECKPOINTS = 'checkpoints';
