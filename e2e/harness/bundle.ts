import { fileURLToPath } from 'node:url';
import { build, type PluginOption } from 'vite';

const pageRoot = fileURLToPath(new URL('../page/', import.meta.url));
const source = (path: string) => fileURLToPath(new URL(`../../src/${path}`, import.meta.url));

/**
 * Bundles the page runtime and every scenario page module (with the SDK from src/) into `outDir`
 * with Vite. Not minified, with source maps, so in-page stack traces stay readable. The library
 * build (tsc, scripts/build.mjs) is deliberately not used.
 */
export async function bundlePages(outDir: string): Promise<void> {
  await buildForBrowsers({
    root: pageRoot,
    outDir,
    input: fileURLToPath(new URL('../page/index.html', import.meta.url)),
  });
}

/**
 * The one Vite build the e2e bundles share: `root`'s index.html (or `input`) into `outDir`, relative
 * base, no public dir, ES2022 (WebKitGTK 2.50 and Chromium 156 both run it natively), not minified,
 * with source maps.
 */
export async function buildForBrowsers(options: {
  root: string;
  outDir: string;
  input?: string;
  plugins?: PluginOption[];
}): Promise<void> {
  await build({
    configFile: false,
    root: options.root,
    base: './',
    publicDir: false,
    logLevel: 'warn',
    clearScreen: false,
    plugins: options.plugins ?? [],
    // The examples the scenarios render import the package by name, as an app does.
    resolve: {
      alias: [
        { find: /^idb-sync\/react$/, replacement: source('react/index.ts') },
        { find: /^idb-sync$/, replacement: source('index.ts') },
      ],
    },
    build: {
      outDir: options.outDir,
      emptyOutDir: true,
      target: 'es2022',
      minify: false,
      sourcemap: true,
      reportCompressedSize: false,
      ...(options.input === undefined ? {} : { rolldownOptions: { input: options.input } }),
    },
  });
}
