import { afterAll, beforeAll } from 'vitest';
import { installAbandonHooks } from './abandonment.js';
import { FuzzServer } from './fuzz-world.js';

/**
 * The reliability suites' fixture: before the file's tests, installs the abandonment hooks (see
 * {@link installAbandonHooks}) and starts one shared reference server, handed to `started`; after
 * them, stops the server and removes the hooks.
 */
export function useFuzzServer(started: (server: FuzzServer) => void): void {
  let server: FuzzServer | undefined;
  let removeHooks: () => void = () => {};
  beforeAll(async () => {
    removeHooks = installAbandonHooks();
    server = await FuzzServer.start();
    started(server);
  });
  afterAll(async () => {
    await server?.close();
    removeHooks();
  });
}
