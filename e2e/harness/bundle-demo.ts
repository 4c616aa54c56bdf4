import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { buildForBrowsers } from './bundle.js';

const demoRoot = fileURLToPath(new URL('../../demo/', import.meta.url));
const runtimeEntry = fileURLToPath(new URL('../page/main.ts', import.meta.url));

/** Where the demo lands in the served bundle directory: `<origin>/demo/index.html`. */
export const demoSubdirectory = 'demo';

/**
 * Adds the e2e page runtime to the demo's page in this build only (the demo's own files are left
 * as they are, so `npm run demo` serves exactly what a person sees): the ready promise first, as in
 * e2e/page/index.html, and the runtime module after the demo's, which loads the scenario's page
 * module named by `?scenario=`.
 */
function withPageRuntime(): Plugin {
  return {
    name: 'idb-sync-e2e-demo-runtime',
    transformIndexHtml: {
      order: 'pre',
      handler: () => [
        {
          tag: 'script',
          injectTo: 'head-prepend',
          children:
            'window.__idbSyncE2EReady = new Promise((resolve) => { window.__idbSyncE2EBoot = resolve; });',
        },
        { tag: 'script', injectTo: 'body', attrs: { type: 'module', src: runtimeEntry } },
      ],
    },
  };
}

/**
 * Builds the demo (demo/index.html, the real app) with Vite into `outDir`, with the e2e page runtime
 * added, so demo scenarios drive the app through `window.__demo` and its DOM. Not minified, with
 * source maps. The page reads its server from `?config=` (see demo/README.md).
 */
export async function bundleDemo(outDir: string): Promise<void> {
  await buildForBrowsers({ root: demoRoot, outDir, plugins: [withPageRuntime()] });
}
