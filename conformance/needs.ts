import type { Capabilities, CollectionInfo } from '../src/protocol/messages.js';
import type { Need } from './check.js';
import type { RunSetup } from './context.js';
import type { ConformanceOptions } from './options.js';

/** Why a check cannot run here, or undefined when it can. */
export function skipReason(
  needs: readonly Need[],
  setup: RunSetup,
  options: ConformanceOptions,
): string | undefined {
  const { collections, hooks, caps } = setup;
  for (const need of needs) {
    switch (need) {
      case 'writable':
        if (collections.writable === undefined) {
          return options.collection === undefined
            ? 'the server announces no writable collection'
            : `collection "${options.collection}" is not a writable collection of the server`;
        }
        break;
      case 'userScoped':
        if (collections.writable?.scope !== 'user')
          return `the writable collection "${collections.writable?.name}" is shared, not per user`;
        break;
      case 'secondUser':
        if (setup.users.length < 2)
          return 'needs a second user: pass two tokens, or an admin token / createUser hook';
        break;
      case 'readOnlyCollection':
        if (collections.readOnly === undefined) return 'the server announces no read-only collection';
        break;
      case 'otherCollection':
        if (collections.other === undefined) return 'the server announces a single collection';
        break;
      case 'serverWrites':
        if (hooks.putRecord === undefined || hooks.deleteRecord === undefined)
          return 'needs the putRecord and deleteRecord hooks (or --admin-token on the reference server)';
        break;
      case 'purge':
        if (hooks.purgeTombstones === undefined)
          return 'needs the purgeTombstones hook (or --admin-token on the reference server)';
        break;
      case 'revoke':
        if (hooks.revokeToken === undefined) return 'needs the revokeToken hook';
        break;
      case 'peer':
        if (setup.peers.length === 0) return 'needs another instance of the same deployment (peers / --peer)';
        break;
      case 'sse':
        if (!caps.transports.includes('sse')) return 'the server does not announce the sse transport';
        break;
      case 'websocket':
        if (!caps.transports.includes('websocket'))
          return 'the server does not announce the websocket transport';
        if (setup.WebSocket === undefined)
          return 'no WebSocket client here: use Node 22+, or install the ws package';
        break;
    }
  }
  return undefined;
}

/** The collection to write to, a read-only one, and another one to mix checkpoints with. */
export function pickCollections(caps: Capabilities, wanted: string | undefined): RunSetup['collections'] {
  const writable: CollectionInfo | undefined =
    wanted !== undefined
      ? caps.collections.find((c) => c.name === wanted && !c.readOnly)
      : (caps.collections.find((c) => !c.readOnly && c.scope === 'user') ??
        caps.collections.find((c) => !c.readOnly));
  const readOnly = caps.collections.find((c) => c.readOnly);
  const other =
    caps.collections.find((c) => c.name !== writable?.name && !c.readOnly) ??
    caps.collections.find((c) => c.name !== writable?.name);
  return {
    ...(writable === undefined ? {} : { writable }),
    ...(readOnly === undefined ? {} : { readOnly }),
    ...(other === undefined ? {} : { other }),
  };
}
