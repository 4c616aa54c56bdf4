/**
 * Loads modules that need optional peer dependencies of `idb-sync/server` (they are not installed
 * with the package): when one of `packages` is missing, the error names what to install, instead of
 * Node's "Cannot find package" from deep inside `node_modules/idb-sync/dist`.
 */
export async function importPeers<T>(
  load: () => Promise<T>,
  packages: readonly string[],
  use: string,
): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const text = String(error);
    const missing = packages.find((pkg) => text.includes(`'${pkg}'`) || text.includes(`"${pkg}"`));
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && missing !== undefined) {
      const list = packages.length === 1 ? `the package "${missing}"` : `the packages ${packages.join(', ')}`;
      throw new Error(
        `idb-sync/server needs ${list} ${use} ("${missing}" is not installed; optional peer dependencies): ` +
          `npm install ${packages.join(' ')}`,
        { cause: error },
      );
    }
    throw error;
  }
}
