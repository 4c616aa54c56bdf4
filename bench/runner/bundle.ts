import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const pageRoot = fileURLToPath(new URL('../page/', import.meta.url));

/**
 * Bundles the benchmark pages (bench/page: the runtime and every workload page module, with the
 * SDK from src/ and the Dexie and RxDB baselines) into `outDir` with Vite, minified as an app would
 * ship them, with source maps. The library build (tsc, scripts/build.mjs) is not used.
 */
export async function bundleBenchPages(outDir: string): Promise<void> {
  await build({
    configFile: false,
    root: pageRoot,
    base: './',
    publicDir: false,
    logLevel: 'warn',
    clearScreen: false,
    // Production mode: libraries drop their development-only checks, as in a shipped app.
    mode: 'production',
    // RxDB pins dexie 4.4.2 while the Dexie baseline uses the project's 4.4.x; Dexie refuses two
    // copies in one page, so both resolve to the project's copy (what an app bundling both would do).
    resolve: { dedupe: ['dexie'] },
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      minify: true,
      sourcemap: true,
      reportCompressedSize: false,
      chunkSizeWarningLimit: 10_000,
      rolldownOptions: { input: fileURLToPath(new URL('../page/index.html', import.meta.url)) },
    },
  });
}
