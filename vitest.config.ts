import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

// The client suite runs twice: once on fake-indexeddb, once on indexeddbshim (SQLite), because
// the shim, like Safari, lets a transaction go inactive across an await. The server suite runs
// against PGlite by default, or PostgreSQL when DATABASE_URL is set. The in-memory PGlite
// templates (an empty cluster, the server schema) are made once per run, not once per test file.
// Client tests sit beside their modules in src/; cross-cutting client suites (reliability, the
// backend smoke test) live under test/ and run on both backends too.
const source = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

const clientTests = [
  'src/**/*.test.ts',
  'test/reliability/**/*.test.ts',
  'test/smoke/**/*.test.ts',
  'test/docs/**/*.test.ts',
];
// The bindings' tests render components: they run in the `bindings` project only.
const bindingTests = ['src/react/**', 'src/vue/**'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['test/make-pglite-templates.ts'],
    typecheck: {
      enabled: true,
      include: ['src/**/*.test-d.ts', 'test/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
    projects: [
      {
        extends: true,
        test: {
          name: 'fake-indexeddb',
          include: clientTests,
          exclude: [...configDefaults.exclude, ...bindingTests],
          setupFiles: ['test/setup-fake-indexeddb.ts', 'test/setup-pglite-templates.ts'],
          environment: 'node',
        },
      },
      {
        extends: true,
        test: {
          name: 'indexeddbshim',
          include: clientTests,
          exclude: [...configDefaults.exclude, ...bindingTests],
          setupFiles: ['test/setup-indexeddbshim.ts', 'test/setup-pglite-templates.ts'],
          environment: 'node',
          typecheck: { enabled: false },
        },
      },
      {
        // The React and Vue bindings: components rendered in happy-dom on fake-indexeddb, against the
        // reference server where they sync (server rendering tests pick the node environment).
        extends: true,
        test: {
          name: 'bindings',
          include: [
            'src/react/**/*.test.{ts,tsx}',
            'src/vue/**/*.test.ts',
            'examples/react-field-app/**/*.test.{ts,tsx}',
            'examples/vue-field-app/**/*.test.ts',
          ],
          // fake-indexeddb in `npm test`; BINDINGS_IDB=indexeddbshim runs them on the shim.
          setupFiles: [
            process.env.BINDINGS_IDB === 'indexeddbshim'
              ? 'test/setup-indexeddbshim.ts'
              : 'test/setup-fake-indexeddb.ts',
            'test/setup-pglite-templates.ts',
          ],
          // happy-dom's DOM with Node's fetch, Request, URL… (see the file).
          environment: './test/bindings/dom-environment.ts',
          environmentOptions: { happyDOM: { url: 'http://127.0.0.1/' } },
          // The examples import the package by name, as an app does.
          alias: [
            { find: /^idb-sync\/react$/, replacement: source('react/index.ts') },
            { find: /^idb-sync\/vue$/, replacement: source('vue/index.ts') },
            { find: /^idb-sync$/, replacement: source('index.ts') },
          ],
          typecheck: { enabled: false },
        },
      },
      {
        extends: true,
        test: {
          name: 'server',
          include: ['server/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/conformance/**/*.test.ts'],
          setupFiles: ['test/setup-pglite-templates.ts'],
          environment: 'node',
          typecheck: { enabled: false },
        },
      },
      {
        extends: true,
        test: {
          name: 'bench',
          include: ['bench/**/*.test.ts'],
          environment: 'node',
          typecheck: { enabled: false },
        },
      },
    ],
  },
});
