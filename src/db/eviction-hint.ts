import type { EvictionReason } from './database-state.js';

/** The part of `Storage` (localStorage) the eviction check uses. */
export interface HintStorage {
  /** Reads a value, `null` when absent. */
  getItem(key: string): string | null;
  /** Stores a value. */
  setItem(key: string, value: string): void;
  /** Removes a value. */
  removeItem(key: string): void;
}

/** `localStorage` when this context has one and may use it; undefined otherwise (workers, Node). */
export function defaultHintStorage(): HintStorage | undefined {
  try {
    return (globalThis as { localStorage?: HintStorage }).localStorage ?? undefined;
  } catch {
    return undefined; // reading localStorage throws when storage is blocked
  }
}

/**
 * Remembers, outside IndexedDB, the id of the database incarnation this origin last used. When a
 * database has to be created although an id is remembered, the browser dropped it (eviction) rather
 * than this being a first visit. Deleting through the SDK forgets the id.
 */
export class EvictionHint {
  constructor(
    private readonly storage: HintStorage | undefined,
    private readonly database: string,
  ) {}

  private get key(): string {
    return `idb-sync:${this.database}:database-id`;
  }

  /** The remembered id, if any. */
  read(): string | undefined {
    try {
      return this.storage?.getItem(this.key) ?? undefined;
    } catch {
      return undefined;
    }
  }

  /** Remembers `databaseId`. Failures (quota, blocked storage) only weaken the detection. */
  write(databaseId: string): void {
    try {
      this.storage?.setItem(this.key, databaseId);
    } catch {
      // best effort
    }
  }

  /** Forgets the id: the database was deleted on purpose. */
  forget(): void {
    try {
      this.storage?.removeItem(this.key);
    } catch {
      // best effort
    }
  }
}

/** The hint for a database: in the given storage, in `localStorage` by default, nowhere for `null`. */
export function hintFor(storage: HintStorage | null | undefined, database: string): EvictionHint {
  return new EvictionHint(storage === null ? undefined : (storage ?? defaultHintStorage()), database);
}

/**
 * Decides, right after an open, whether the browser dropped the data, and remembers the current
 * database id for next time: `_meta` lost its marker, or the database had to be created although
 * this origin remembers using it.
 */
export function detectEviction(
  hint: EvictionHint,
  opened: {
    readonly marker: { readonly databaseId: string };
    readonly markerWasMissing: boolean;
    readonly created: boolean;
  },
): EvictionReason | undefined {
  const remembered = hint.read();
  hint.write(opened.marker.databaseId);
  if (opened.markerWasMissing) return 'marker-missing';
  if (opened.created && remembered !== undefined && remembered !== opened.marker.databaseId)
    return 'recreated';
  return undefined;
}
