/**
 * Asks the browser to keep this origin's storage (`navigator.storage.persist()`), so it is not
 * evicted under storage pressure. Resolves with the answer; false where the API is missing or fails.
 */
export async function requestPersistence(): Promise<boolean> {
  const storage = (globalThis.navigator as { storage?: Partial<StorageManager> } | undefined)?.storage;
  if (typeof storage?.persist !== 'function') return false;
  try {
    return await storage.persist();
  } catch {
    return false;
  }
}
