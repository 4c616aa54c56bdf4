// Every in-memory PGlite of a test file starts from the templates made once for the whole run
// (make-pglite-templates.ts) instead of running initdb and the migrations in each file.
import { readFile } from 'node:fs/promises';
import { inject } from 'vitest';
import { type PgliteTemplateName, presetPgliteTemplate } from '../server/db/pglite-database.js';

const files = inject('pgliteTemplates') ?? {};
for (const [name, path] of Object.entries(files) as [PgliteTemplateName, string][]) {
  presetPgliteTemplate(name, async () => new Blob([await readFile(path)]));
}
