// Vitest global setup: makes the in-memory PGlite templates (an empty cluster, and one with the
// reference server's schema) once per test run and hands their files to every test file (see
// setup-pglite-templates.ts). Vitest runs each file with fresh module state, so without this every
// file that starts a server pays initdb and the migrations again, several seconds each. Made anew
// by each run, the templates always match the current migrations.
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { emptyClusterTemplate, type PgliteTemplateName } from '../server/db/pglite-database.js';
import { serverSchemaTemplate } from '../server/start-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** This run's template dumps (tar files) by name; absent when the run makes none. */
    pgliteTemplates: Partial<Record<PgliteTemplateName, string>>;
  }
}

export default async function makePgliteTemplates(project: TestProject): Promise<(() => void) | undefined> {
  // Every project inherits this setup from the root config; the root project's provided values
  // reach all projects, so it alone makes the templates. On PostgreSQL (DATABASE_URL) the servers
  // of the tests do not use them: a file that still opens an in-memory PGlite makes its own.
  if (!project.isRootProject() || process.env.DATABASE_URL) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'idb-sync-pglite-'));
  try {
    const files: Record<PgliteTemplateName, string> = {
      'empty-cluster': join(dir, 'empty-cluster.tar'),
      'server-schema': join(dir, 'server-schema.tar'),
    };
    // The server template is made from the empty one, so initdb runs once.
    await writeDump(files['empty-cluster'], await emptyClusterTemplate());
    await writeDump(files['server-schema'], await serverSchemaTemplate());
    project.provide('pgliteTemplates', files);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return () => rmSync(dir, { recursive: true, force: true });
}

async function writeDump(path: string, dump: Blob): Promise<void> {
  await writeFile(path, new Uint8Array(await dump.arrayBuffer()));
}
