#!/usr/bin/env node
// Type-checks every JSDoc `@example` of the shipped sources (`src/`, `server/`, `conformance/`, tests
// excluded) and every ```ts block of README.md and docs/*.md (but a block right after a
// `<!-- not checked: why -->` line): a stale example is a bug. Each becomes a module of its own,
// checked with the project's strict settings. It keeps its own imports (`idb-sync`, `idb-sync/server`, … map to the
// sources); a public name it uses without importing it is imported for it from the entry nearest
// to the example's file (the root entry for `src/`, `idb-sync/server` for `server/`, …); and the few
// free names examples lean on (`appDb`, `baseUrl`, `getToken`, …) are declared once, in `context` below.
// Usage: node scripts/check-examples.mjs [files...]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'node_modules', '.check-examples');

/** Public entries: import specifier → source file. */
const entries = {
  'idb-sync': 'src/index.ts',
  'idb-sync/transport': 'src/transport/index.ts',
  'idb-sync/protocol': 'src/protocol/index.ts',
  'idb-sync/server': 'server/index.ts',
  'idb-sync/conformance': 'conformance/index.ts',
  'idb-sync/react': 'src/react/index.ts',
  'idb-sync/vue': 'src/vue/index.ts',
};
/** Where a name an example uses without importing it comes from, by the example's folder. */
const nearest = {
  src: ['idb-sync', 'idb-sync/transport', 'idb-sync/protocol'],
  server: ['idb-sync/server', 'idb-sync/protocol', 'idb-sync'],
  conformance: ['idb-sync/conformance', 'idb-sync/protocol', 'idb-sync'],
  react: ['idb-sync/react', 'idb-sync'],
  vue: ['idb-sync/vue', 'idb-sync'],
};
/**
 * The `nearest` key of an example's file: a binding's sources and guide get the binding's names
 * first (React and Vue name their hooks alike), the rest go by top folder.
 */
const areaOf = (file) =>
  /^(?:src\/(react|vue)\/|docs\/(react|vue)\.md$)/.exec(file)?.slice(1).find(Boolean) ?? file.split('/')[0];

// The free names examples lean on: a global script (no imports or exports), so every example module
// sees these names and may declare its own instead.
const context = `type ExampleAppSchema = {
  work_orders: {
    key: string;
    value: { id: string; title: string; status?: string; updatedAt?: string };
    kind: 'transactional';
  };
  customers: { key: string; value: { id: string; name: string; note?: string }; kind: 'transactional' };
  service_types: {
    key: string;
    value: { id: string; code: string; name: string; category: string; price: number; tokens?: string[] };
    indexes: { byToken: string; byCategory: string; byPrice: number };
    kind: 'lookup';
  };
  cities: {
    key: number;
    value: { id: number; name: string; otherNames: string[]; country: string; population: number; tokens?: string[] };
    indexes: { byToken: string; byCountry: string; byPopulation: number };
    kind: 'lookup';
  };
};
/** The schema of the examples' app (an \`interface AppSchema extends DBSchema\` in an app). */
type AppSchema = ExampleAppSchema;

declare const appDb: import('idb-sync').DatabaseHandle<AppSchema>;
declare const baseUrl: string;
declare const token: string;
declare const userId: string;
declare const getToken: import('idb-sync').GetToken;
declare const versions: import('idb-sync').VersionList<AppSchema>;
declare function render(value: unknown): void;
declare function notify(message: string): void;
declare const auth: { token(options: { forceRefresh: boolean }): Promise<string> };
declare const session: { readonly token: string };
// … and those of the guides' code blocks (README.md, docs/*.md)
declare const client: import('idb-sync').LiveSyncClient<AppSchema>;
declare const catalogDb: import('idb-sync').DatabaseHandle<AppSchema>;
declare const orders: AppSchema['work_orders']['value'][];
declare const city: AppSchema['cities']['value'];
declare function verifyYourSession(token: string): Promise<{ userId: string } | null>;
declare const app: { use(handler: import('node:http').RequestListener): void };
declare const httpServer: import('node:http').Server;
declare const aliceToken: string;
declare const bobToken: string;
declare const myAdmin: {
  upsert(collection: string, id: string, value: unknown, userId?: string): Promise<void>;
  remove(collection: string, id: string, userId?: string): Promise<void>;
  compactTombstones(options: { olderThanMs: number }): Promise<void>;
  revokeTokens(userId: string): Promise<void>;
};
`;

function sourceFiles(dir) {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !/\.test(-d)?\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** The `@example` blocks of a file: the code, and the source line of each of its lines. */
function examplesOf(file) {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const found = [];
  for (let i = 0; i < lines.length; i += 1) {
    if (!/^\s*\*\s*@example\b/.test(lines[i])) continue;
    const code = [];
    const sourceLines = [];
    let j = i + 1;
    for (; j < lines.length; j += 1) {
      const line = lines[j];
      if (/^\s*\*\//.test(line) || /^\s*\*\s*@\w+/.test(line)) break;
      const text = line.replace(/^\s*\* ?/, '');
      if (/^```/.test(text.trim())) continue;
      code.push(text);
      sourceLines.push(j + 1);
    }
    found.push({ file, line: i + 1, code, sourceLines });
    i = j - 1;
  }
  return found;
}

/** The ```ts blocks of a Markdown file, but those right after a `<!-- not checked: why -->` line. */
function blocksOf(file) {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const found = [];
  for (let i = 0; i < lines.length; i += 1) {
    if (!/^```ts\s*$/.test(lines[i])) continue;
    const skipped = /^<!--\s*not checked\b/.test(lines[i - 1] ?? '');
    const code = [];
    const sourceLines = [];
    let j = i + 1;
    for (; j < lines.length && !/^```\s*$/.test(lines[j]); j += 1) {
      code.push(lines[j]);
      sourceLines.push(j + 1);
    }
    if (!skipped) found.push({ file, line: i + 1, code, sourceLines });
    i = j;
  }
  return found;
}

/** Names exported by an entry file (`export { a, b as c }`, `export type { ... }`). */
function exportedNames(file) {
  const text = readFileSync(join(root, file), 'utf8');
  const names = new Map(); // name → 'value' | 'type'
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
      if (!names.has(name) || !isType) names.set(name, isType ? 'type' : 'value');
    }
  }
  return names;
}

/** Names an example declares or imports itself. */
function ownNames(code) {
  const names = new Set();
  for (const m of code.matchAll(
    /\b(?:const|let|var|function|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/g,
  )) {
    names.add(m[1]);
  }
  for (const m of code.matchAll(/\b(?:const|let|var)\s*\{([^}]*)\}/g)) {
    for (const part of m[1].split(',')) names.add(part.split(':').pop().trim());
  }
  for (const m of code.matchAll(
    /^import\s+(?:type\s+)?(?:\*\s+as\s+(\w+)|(\w+))?\s*,?\s*(?:\{([^}]*)\})?\s*from/gm,
  )) {
    if (m[1]) names.add(m[1]);
    if (m[2]) names.add(m[2]);
    for (const part of (m[3] ?? '').split(',')) {
      const name = part
        .replace(/^\s*type\s+/, '')
        .split(/\s+as\s+/)
        .pop()
        .trim();
      if (name !== '') names.add(name);
    }
  }
  return names;
}

const guides = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const files =
  process.argv.length > 2
    ? process.argv.slice(2)
    : [...['src', 'server', 'conformance'].flatMap(sourceFiles), ...guides.sort()];
const examples = files.flatMap((file) => (file.endsWith('.md') ? blocksOf(file) : examplesOf(file)));
const exports = Object.fromEntries(
  Object.entries(entries).map(([spec, file]) => [spec, exportedNames(file)]),
);

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'context.d.ts'), context);

const modules = examples.map((example, i) => {
  const body = example.code.join('\n');
  const own = ownNames(body);
  const words = new Set(body.replace(/\/\/.*$/gm, '').match(/[A-Za-z_$][\w$]*/g) ?? []);
  const imported = new Set();
  const header = [];
  const area = areaOf(example.file);
  for (const specifier of nearest[area] ?? nearest.src) {
    const values = [];
    const types = [];
    for (const [name, kind] of exports[specifier]) {
      if (!words.has(name) || own.has(name) || imported.has(name)) continue;
      imported.add(name);
      (kind === 'type' ? types : values).push(name);
    }
    if (values.length > 0) header.push(`import { ${values.join(', ')} } from '${specifier}';`);
    if (types.length > 0) header.push(`import type { ${types.join(', ')} } from '${specifier}';`);
  }
  header.push(`// ${example.file}:${example.line}`, 'export {};');
  // React examples are JSX (a .tsx file would read other examples' type assertions as JSX).
  const name = `example-${String(i).padStart(3, '0')}.${area === 'react' ? 'tsx' : 'ts'}`;
  writeFileSync(join(out, name), `${header.join('\n')}\n${body}\n`);
  return { name, example, headerLines: header.length };
});

const paths = Object.fromEntries(Object.entries(entries).map(([spec, file]) => [spec, [join(root, file)]]));
writeFileSync(
  join(out, 'tsconfig.json'),
  JSON.stringify({
    extends: relative(out, join(root, 'tsconfig.json')),
    compilerOptions: { noUnusedLocals: false, noUnusedParameters: false, paths },
    include: ['*.ts', '*.tsx'],
  }),
);

const result = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', out], {
  encoding: 'utf8',
});
const byName = new Map(modules.map((m) => [m.name, m]));
const errors = (result.stdout + result.stderr)
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => {
    const m = /(example-\d+\.tsx?)\((\d+),(\d+)\)/.exec(l);
    const module = m ? byName.get(m[1]) : undefined;
    if (module === undefined) return l;
    const index = Number(m[2]) - 1 - module.headerLines;
    const at = module.example.sourceLines[index] ?? module.example.line;
    return `${module.example.file}:${at}: ${l.replace(/^.*?error /, 'error ')}`;
  });
console.log(`${examples.length} examples in ${new Set(examples.map((e) => e.file)).size} files`);
if (result.status !== 0) {
  console.error(errors.join('\n'));
  process.exit(1);
}
console.log('all compile');
