import type { ServerOptions } from '../../server/config.js';
import type { LogEntry } from '../../server/http/request-log.js';
import { type RunningServer, startServer } from '../../server/start-server.js';

/** The reference server started in-process for a client test, with a user and captured log lines. */
export interface TestServer {
  readonly server: RunningServer;
  readonly url: string;
  readonly token: string;
  readonly userId: string;
  readonly logs: LogEntry[];
  close(): Promise<void>;
}

/** Starts the reference server on 127.0.0.1 (free port, in-memory PGlite) with user `alice`. */
export async function startTestServer(options: ServerOptions = {}): Promise<TestServer> {
  const logs: LogEntry[] = [];
  const server = await startServer({ port: 0, logger: (entry) => logs.push(entry), ...options });
  const { token, userId } = await server.admin.createUser('alice');
  return { server, url: server.url, token, userId, logs, close: () => server.close() };
}
