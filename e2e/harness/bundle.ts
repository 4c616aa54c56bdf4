import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const pageRoot = fileURLToPath(new URL('../page/', import.meta.url));

/**
 * Bundles the page runtime and every scenario page module (with the SDK from src/) into `outDir`
 * with Vite. Not minified, with source maps, so in-page stack traces stay readable. The project's
 * vite.config.ts (the library build) is deliberately not used.
 */
export async function bundlePages(outDir: string): Promise<void> {
  await build({
    configFile: false,
    root: pageRoot,
    base: './',
    publicDir: false,
    logLevel: 'warn',
    clearScreen: false,
    build: {
      outDir,
      emptyOutDir: true,
      // WebKitGTK 2.50 and Chromium 156 both run ES2022 natively.
      target: 'es2022',
      minify: false,
      sourcemap: true,
      reportCompressedSize: false,
      rolldownOptions: { input: fileURLToPath(new URL('../page/index.html', import.meta.url)) },
    },
  });
}
