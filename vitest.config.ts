import { defineConfig } from 'vitest/config';

// The client suite runs twice: once on fake-indexeddb, once on indexeddbshim (SQLite), because
// the shim, like Safari, lets a transaction go inactive across an await. The server suite runs
// against PGlite by default, or PostgreSQL when DATABASE_URL is set. The in-memory PGlite
// templates (an empty cluster, the server schema) are made once per run, not once per test file.
// Client tests sit beside their modules in src/; cross-cutting client suites (reliability, the
// backend smoke test) live under test/ and run on both backends too.
const clientTests = [
  'src/**/*.test.ts',
  'test/reliability/**/*.test.ts',
  'test/smoke/**/*.test.ts',
  'test/docs/**/*.test.ts',
];

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
          setupFiles: ['test/setup-fake-indexeddb.ts', 'test/setup-pglite-templates.ts'],
          environment: 'node',
        },
      },
      {
        extends: true,
        test: {
          name: 'indexeddbshim',
          include: clientTests,
          setupFiles: ['test/setup-indexeddbshim.ts', 'test/setup-pglite-templates.ts'],
          environment: 'node',
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
