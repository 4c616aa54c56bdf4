import type { KeyPath, KeyType, StoreKind } from './schema-types.js';

/** The parts of a store's definition a fingerprint covers. */
export interface FingerprintInput {
  readonly keyPath: KeyPath | null;
  readonly autoIncrement: boolean;
  readonly kind: StoreKind;
  /** Only a non-default key type counts, so stores declared before key types existed keep their fingerprint. */
  readonly keyType?: KeyType;
  readonly indexes: Readonly<Record<string, { keyPath: KeyPath; unique: boolean; multiEntry: boolean }>>;
}

/**
 * A short stable hash of a store's definition (keyPath, autoIncrement, kind, key type, indexes). Two
 * declarations with the same meaning get the same fingerprint whatever the order of their indexes;
 * the sync layer keeps it beside a checkpoint and refetches the store when it changes.
 */
export function fingerprintStore(store: FingerprintInput): string {
  const indexes = Object.keys(store.indexes)
    .sort()
    .map((name) => {
      const index = store.indexes[name]!;
      return [name, index.keyPath, index.unique, index.multiEntry];
    });
  const parts: unknown[] = [store.keyPath, store.autoIncrement, store.kind, indexes];
  if (store.keyType !== undefined && store.keyType !== 'string') parts.push(store.keyType);
  const canonical = JSON.stringify(parts);
  return hash32(canonical, 0x811c9dc5) + hash32(canonical, 0x01000193);
}

/** FNV-1a over UTF-16 code units; two seeds give 64 bits, plenty for telling definitions apart. */
function hash32(text: string, seed: number): string {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
