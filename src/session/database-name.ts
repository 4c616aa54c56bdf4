/**
 * The database name of a user of an app: `<appName>:u:<hash>`, where the hash is the first 32 hex
 * digits of SHA-256(`appName` NUL `userId`). The user id never appears in the name (names are
 * visible to every script of the origin via `indexedDB.databases()`), and two users never share one.
 */
export async function userDatabaseName(appName: string, userId: string): Promise<string> {
  if (appName === '' || userId === '') throw new TypeError('appName and userId must be non-empty');
  const bytes = new TextEncoder().encode(`${appName}\u0000${userId}`);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  const hex = Array.from(digest.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join('');
  return `${appName}:u:${hex}`;
}
