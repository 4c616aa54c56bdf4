#!/usr/bin/env node
// Type-checks every JSDoc `@example` of the shipped sources (`src/**/*.ts`, tests excluded): a stale
// example is a bug. Each example becomes the body of its own async function in a generated file
// that imports every public name of `idb-sync` (and its subpaths) and declares the few free names
// examples use (`appDb`, `baseUrl`, `getToken`, ...). Usage: node scripts/check-examples.mjs [files...]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'node_modules', '.check-examples');

/** Public entries: import specifier → source file. */
const entries = Object.fromEntries(
  [
    ['idb-sync', 'src/index.ts'],
    ['idb-sync/transport', 'src/transport/index.ts'],
    ['idb-sync/protocol', 'src/protocol/index.ts'],
  ].filter(([, file]) => existsSync(join(root, file))),
);

function sourceFiles(dir) {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !/\.test(-d)?\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** The `@example` blocks of a file, with the line each starts at. */
function examplesOf(file) {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const found = [];
  for (let i = 0; i < lines.length; i += 1) {
    if (!/^\s*\*\s*@example\b/.test(lines[i])) continue;
    const body = [];
    let j = i + 1;
    for (; j < lines.length; j += 1) {
      const line = lines[j];
      if (/^\s*\*\//.test(line) || /^\s*\*\s*@\w+/.test(line)) break;
      body.push(line.replace(/^\s*\* ?/, ''));
    }
    found.push({ line: i + 1, code: body.filter((l) => !/^```/.test(l.trim())).join('\n') });
    i = j - 1;
  }
  return found;
}

/** Names exported by an entry file (`export { a, b as c }`, `export type { ... }`). */
function exportedNames(file) {
  const text = readFileSync(join(root, file), 'utf8');
  const values = new Set();
  const types = new Set();
  for (const match of text.matchAll(/export\s+(type\s+)?\{([^}]*)\}/g)) {
    for (const raw of match[2].split(',')) {
      const spec = raw.trim();
      if (spec === '') continue;
      const isType = match[1] !== undefined || spec.startsWith('type ');
      const name = spec
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)
        .pop()
        .trim();
      (isType ? types : values).add(name);
    }
  }
  return { values, types };
}

const files = process.argv.length > 2 ? process.argv.slice(2) : sourceFiles('src');
const examples = files.flatMap((file) => examplesOf(file).map((e) => ({ ...e, file })));

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const rel = (file) => relative(out, join(root, file)).replace(/\.ts$/, '.js');

const seen = new Set();
const prelude = [];
for (const [specifier, file] of Object.entries(entries)) {
  const { values, types } = exportedNames(file);
  const fresh = (names) => [...names].filter((n) => !seen.has(n) && seen.add(n));
  const v = fresh(values);
  const t = fresh(types);
  if (v.length > 0) prelude.push(`import { ${v.join(', ')} } from '${rel(file)}';`);
  if (t.length > 0) prelude.push(`import type { ${t.join(', ')} } from '${rel(file)}';`);
  prelude.push(`// ${specifier}`);
}
if (!seen.has('DBSchema')) prelude.push(`import type { DBSchema } from 'idb';`);
prelude.push(`
interface AppSchema extends DBSchema {
  work_orders: { key: string; value: { id: string; title: string; status?: string; updatedAt?: string } };
}
interface CatalogSchema extends DBSchema {
  service_types: {
    key: string;
    value: { id: string; code: string; name: string; category: string; price: number; tokens?: string[] };
    indexes: { byToken: string; byCategory: string; byPrice: number };
  };
}
declare const appDb: DatabaseHandle<AppSchema & CatalogSchema>;
declare const baseUrl: string;
declare const token: string;
declare const userId: string;
declare const getToken: GetToken;
declare const versions: VersionList<AppSchema>;
declare function render(value: unknown): void;
declare const auth: { token(options: { forceRefresh: boolean }): Promise<string> };
declare const session: { readonly token: string };
`);

const hoisted = new Set();
const bodies = examples.map((example, i) => {
  const kept = [];
  for (const line of example.code.split('\n')) {
    const from = /^import\s.*from\s+'([^']+)';/.exec(line);
    if (from === null) kept.push(line);
    else if (!(from[1] in entries) && !from[1].startsWith('idb-sync'))
      hoisted.add(line.replace(/\s*\/\/.*$/, ''));
  }
  return `// ${example.file}:${example.line}\nexport async function example${i}() {\n${kept.join('\n')}\n}\n`;
});
writeFileSync(join(out, 'examples.ts'), [...prelude, ...hoisted, '', ...bodies].join('\n'));
writeFileSync(
  join(out, 'tsconfig.json'),
  JSON.stringify({
    extends: relative(out, join(root, 'tsconfig.json')),
    compilerOptions: { noUnusedLocals: false, noUnusedParameters: false },
    include: ['examples.ts'],
  }),
);

const result = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', out], {
  encoding: 'utf8',
});
const generated = readFileSync(join(out, 'examples.ts'), 'utf8').split('\n');
const origin = (line) => {
  for (let i = line - 1; i >= 0; i -= 1) {
    const m = /^\/\/ (src\/\S+:\d+)$/.exec(generated[i] ?? '');
    if (m) return m[1];
  }
  return 'prelude';
};
const errors = (result.stdout + result.stderr)
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => {
    const m = /examples\.ts\((\d+),\d+\)/.exec(l);
    return m ? `${origin(Number(m[1]))}: ${l.replace(/^.*?error /, 'error ')}` : l;
  });
console.log(`${examples.length} examples in ${new Set(examples.map((e) => e.file)).size} files`);
if (result.status !== 0) {
  console.error(errors.join('\n'));
  process.exit(1);
}
console.log('all compile');
