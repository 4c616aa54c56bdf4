// The bindings' test environment: happy-dom's DOM for rendering components, with Node's own fetch,
// Request, Response, AbortController, URL, WebSocket… kept. The reference server runs in the same
// process (Hono builds Node `Request`s), and the sync client's requests go through Node's fetch, as
// a page's go through the browser's: happy-dom's versions of these would break both.
import type { Environment } from 'vitest/environments';
import { builtinEnvironments } from 'vitest/runtime';

const NODE_GLOBALS = [
  'fetch',
  'Request',
  'Response',
  'Headers',
  'FormData',
  'AbortController',
  'AbortSignal',
  'URL',
  'URLSearchParams',
  'Blob',
  'File',
  'ReadableStream',
  'TextEncoder',
  'TextDecoder',
  'WebSocket',
  'BroadcastChannel',
  'MessageChannel',
  'MessagePort',
  'structuredClone',
] as const;

export default {
  name: 'bindings-dom',
  viteEnvironment: 'client',
  async setup(global, options) {
    const kept = NODE_GLOBALS.map((key) => [key, Object.getOwnPropertyDescriptor(global, key)] as const);
    const happyDom = await builtinEnvironments['happy-dom'].setup(global, options);
    for (const [key, descriptor] of kept) {
      if (descriptor === undefined) delete global[key];
      else Object.defineProperty(global, key, descriptor);
    }
    return happyDom;
  },
} satisfies Environment;
