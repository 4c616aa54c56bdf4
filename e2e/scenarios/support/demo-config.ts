// Node side: what the demo page needs to reach a scenario's server, passed as `?config=` (the demo
// reads `/demo-config.json` only when no config is given: that is `npm run demo`).
import type { ScenarioServer } from './reference-server.js';

/** The demo's configuration for `userId` on `server`, as the JSON string for `tab.open({ config })`. */
export function demoConfig(server: ScenarioServer, userId: string, token: string): string {
  return JSON.stringify({
    serverUrl: server.running.url,
    token,
    // Only the demo's "server edit" button uses it; the demo scenarios do not.
    adminToken: 'not-used-by-the-demo-scenarios',
    userId,
    apiBase: server.path,
  });
}
