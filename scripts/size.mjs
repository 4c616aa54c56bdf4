#!/usr/bin/env node
// `npm run size`: what idb-sync costs an app, beside its peers, and whether it stays in budget.
//
// Builds the package (scripts/build.mjs), packs it with `npm pack` and installs the tarball in a
// scratch directory (so `exports`, `files` and `sideEffects` are exercised as an app sees them),
// then bundles one-line entries with Vite (rolldown, minified) and reports min and min+gzip sizes
// of each, with the peers (installed as devDependencies) measured the same way. Then it checks
// that the built entries import nothing with side effects: `import 'idb-sync'` (and the subpaths)
// bundles to no code at all, and importing the built entries in Node opens no database, channel,
// timer or listener, adds no global and changes no built-in prototype.
//
//   --no-build   measure the dist/ that is there
//   --write      put the table into README.md (between the size markers)
//   --json F     also write the figures to F
//   --breakdown F  also write, for each budgeted entry, where its bytes go (per module and per
//                package, from the bundle's source map) to F (markdown)
// Exits 1 when an entry is over its budget or a side-effect check fails.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const root = new URL('..', import.meta.url).pathname;
const { values: args } = parseArgs({
  options: {
    'no-build': { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
    json: { type: 'string' },
    breakdown: { type: 'string' },
  },
});
const KB = 1000;

/**
 * What an app imports: `uses(module, names)` keeps those names alive in the bundle (`*`: the whole
 * namespace), as an app that calls them does.
 */
function uses(imports) {
  const lines = imports.map(([from, names], i) =>
    names === '*'
      ? `import * as m${i} from '${from}';`
      : `import { ${names.map((n, j) => `${n} as m${i}_${j}`).join(', ')} } from '${from}';`,
  );
  const kept = imports.flatMap(([, names], i) =>
    names === '*' ? [`m${i}`] : names.map((_, j) => `m${i}_${j}`),
  );
  return `${lines.join('\n')}\nglobalThis.__sizeEntry = [${kept.join(', ')}];`;
}

/** One-line entries: ours with a budget (min+gzip, KB), the peers for comparison. */
const entries = [
  {
    name: 'idb-sync: `defineDatabase` only',
    code: uses([['idb-sync', ['defineDatabase']]]),
    // The goal (issue 13) is 15 KB; not met: 15.7 KB since the SDK's own promise layer replaced idb's
    // runtime (-1.1 KB; 16.7 since its own Observable, -2.3). What is left is the schema-upgrade code
    // every handle carries though it runs only on a version change (src/upversion, ~4.5 KB; loading it
    // lazily would break a first open offline after an app update), the synced write path (~2.5 KB)
    // and the errors (~1.5 KB: mostly their messages). CI holds a ceiling.
    budgetKb: 16,
    targetKb: 15,
  },
  {
    name: 'idb-sync: sync client with transports and listeners',
    code: uses([
      ['idb-sync', ['createSyncClient', 'defineDatabase']],
      [
        'idb-sync/transport',
        [
          'connectionManager',
          'createHttpTransport',
          'createWebSocketTransport',
          'pollingListener',
          'sseListener',
          'webSocketListener',
        ],
      ],
    ]),
    // The goal is 40 KB; issue 14 (one bad record never stops sync: skipped-records log, unique-clash
    // resolution, per-collection isolation and backoff) added ~2.7 KB, the own Observable took 2.2 KB
    // off: 40.4 KB; issue 17's first-useful-data order (two lanes, ready events, kept capabilities)
    // and issue 14's maxRecordBytes added ~0.9 KB: 41.3 KB; the own promise layer instead of idb
    // (-1.1 KB) and the HTTP client as one fetch loop (-1.0 KB): 39.1 KB, goal met.
    budgetKb: 40,
    targetKb: 40,
  },
  {
    name: 'idb-sync: the whole root entry',
    code: uses([['idb-sync', '*']]),
    // Goal 48 KB: met (45.4 KB since the own promise layer and the one-loop HTTP client).
    budgetKb: 48,
    targetKb: 48,
  },
  {
    // What the binding adds to an app that uses the root entry and already ships React (React is
    // left out of the bundle): budgeted as the difference from the whole root entry.
    name: 'idb-sync/react: every hook, with the whole root entry (React not counted)',
    code: uses([
      ['idb-sync', '*'],
      ['idb-sync/react', '*'],
    ]),
    addsTo: 'idb-sync: the whole root entry',
    budgetKb: 3,
  },
  {
    name: 'idb-sync/vue: every composable, with the whole root entry (Vue not counted)',
    code: uses([
      ['idb-sync', '*'],
      ['idb-sync/vue', '*'],
    ]),
    addsTo: 'idb-sync: the whole root entry',
    budgetKb: 3,
  },
  { name: 'Dexie', code: uses([['dexie', ['Dexie']]]) },
  {
    name: 'Dexie + dexie-cloud-addon',
    code: uses([
      ['dexie', ['Dexie']],
      ['dexie-cloud-addon', ['default']],
    ]),
  },
  {
    name: 'RxDB core + Dexie storage + replication',
    code: uses([
      ['rxdb', ['createRxDatabase']],
      ['rxdb/plugins/storage-dexie', ['getRxStorageDexie']],
      ['rxdb/plugins/replication', ['replicateRxCollection']],
    ]),
  },
  { name: 'Replicache', code: uses([['replicache', ['Replicache']]]) },
];

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const peers = ['dexie', 'dexie-cloud-addon', 'rxdb', 'replicache'];

function run(cmd, cmdArgs, options = {}) {
  const result = spawnSync(cmd, cmdArgs, { cwd: root, encoding: 'utf8', ...options });
  if (result.status !== 0) {
    process.stderr.write(result.stdout ?? '');
    process.stderr.write(result.stderr ?? '');
    throw new Error(`${cmd} ${cmdArgs.join(' ')} failed (${result.status})`);
  }
  return result.stdout;
}

/** A scratch app with the packed package installed and the other packages linked from here. */
function scratchApp() {
  const dir = mkdtempSync(join(tmpdir(), 'idb-sync-size-'));
  const modules = join(dir, 'node_modules');
  mkdirSync(join(modules, 'idb-sync'), { recursive: true });
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dir]));
  run('tar', ['-xzf', join(dir, packed.filename), '-C', join(modules, 'idb-sync'), '--strip-components=1']);
  for (const name of [...Object.keys(pkg.dependencies), ...peers]) {
    symlinkSync(join(root, 'node_modules', name), join(modules, name), 'dir');
  }
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'size-app', type: 'module', private: true }),
  );
  return { dir, files: packed.files.map((f) => f.path) };
}

/** The frameworks of the bindings: left out of every bundle here, and never imported by the root. */
const frameworks = ['react', 'react-dom', 'vue'];
const isFramework = (id) => frameworks.some((f) => id === f || id.startsWith(`${f}/`));

/**
 * Bundles `code` as an app's entry script (an app build, fully minified, as an app ships it);
 * returns the output. `modules` lists the package's modules bundled (paths from the package root)
 * and `externals` the frameworks imported.
 */
async function bundle(dir, code, { sourcemap = false } = {}) {
  const graph = await bundleWithGraph(dir, code, { sourcemap });
  return sourcemap ? graph.chunks : graph.code;
}

async function bundleWithGraph(dir, code, { sourcemap = false } = {}) {
  const entry = join(dir, `entry-${Math.random().toString(36).slice(2)}.js`);
  writeFileSync(entry, `${code}\n`);
  const output = await build({
    configFile: false,
    logLevel: 'silent',
    root: dir,
    build: {
      write: false,
      minify: true,
      target: 'es2022',
      modulePreload: false,
      sourcemap,
      rolldownOptions: { input: entry, external: isFramework },
    },
  });
  rmSync(entry);
  const chunks = (Array.isArray(output) ? output : [output])
    .flatMap((o) => o.output)
    .filter((c) => c.type === 'chunk');
  const marker = '/node_modules/idb-sync/';
  return {
    chunks,
    code: chunks.map((c) => c.code).join('\n'),
    modules: chunks
      .flatMap((c) => c.moduleIds)
      .filter((id) => id.includes(marker))
      .map((id) => id.slice(id.indexOf(marker) + marker.length)),
    externals: chunks.flatMap((c) => c.imports).filter(isFramework),
  };
}

const BASE64 = new Map(
  [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].map((c, i) => [c, i]),
);

/** The fields of one source-map segment (relative values). */
function decodeSegment(segment) {
  const fields = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = BASE64.get(char);
    value += (digit & 31) << shift;
    if (digit & 32) shift += 5;
    else {
      fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return fields;
}

/**
 * Where the minified bytes of `chunks` come from: each generated column range is given to the
 * source its mapping names (a module of ours under dist/src, or a package). Returns one row per
 * source with its minified bytes and the gzip size of those bytes alone (an upper bound of what
 * the module adds: modules compress better together).
 */
function attribute(chunks) {
  const bySource = new Map();
  const add = (source, text) => {
    const entry = bySource.get(source) ?? [];
    entry.push(text);
    bySource.set(source, entry);
  };
  for (const chunk of chunks) {
    const lines = chunk.code.split('\n');
    const mappings = chunk.map.mappings.split(';');
    let source = 0;
    for (const [i, line] of lines.entries()) {
      let column = 0;
      let from = 0;
      let owner = '(unmapped)';
      for (const segment of (mappings[i] ?? '').split(',').filter(Boolean)) {
        const fields = decodeSegment(segment);
        column += fields[0];
        if (column > from) add(owner, line.slice(from, column));
        from = Math.max(from, column);
        if (fields.length > 1) {
          source += fields[1];
          owner = chunk.map.sources[source] ?? '(unmapped)';
        } else owner = '(unmapped)';
      }
      add(owner, `${line.slice(from)}\n`);
    }
  }
  return [...bySource].map(([source, texts]) => {
    const text = texts.join('');
    // Ours as src/… (the package's dist/ mirrors the repository), a dependency by its package path.
    const name = source.includes('node_modules/')
      ? source.replace(/^.*node_modules\//, '').replace(/^idb-sync\/dist\//, '')
      : source.includes('entry-')
        ? '(the entry)'
        : source;
    return { name, min: Buffer.byteLength(text), gzip: gzipSync(text, { level: 9 }).length };
  });
}

/** The package or source directory a module belongs to. */
function groupOf(name) {
  if (name.startsWith('src/')) return name.split('/').slice(0, 2).join('/');
  const parts = name.split('/');
  return parts[0].startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** A markdown breakdown of one entry's bundle: per directory/package, then per module. */
async function breakdown(dir, entry) {
  const chunks = await bundle(dir, entry.code, { sourcemap: true });
  const rows = attribute(chunks).sort((a, b) => b.min - a.min);
  const groups = new Map();
  for (const row of rows) {
    const group = groups.get(groupOf(row.name)) ?? { min: 0, gzip: 0, modules: 0 };
    group.min += row.min;
    group.gzip += row.gzip;
    group.modules += 1;
    groups.set(groupOf(row.name), group);
  }
  return [
    `### ${entry.name}`,
    '',
    '| directory or package | modules | min | gzip of each module alone, summed |',
    '| --- | ---: | ---: | ---: |',
    ...[...groups]
      .sort((a, b) => b[1].min - a[1].min)
      .map(([name, g]) => `| ${name} | ${g.modules} | ${g.min} | ${g.gzip} |`),
    '',
    '| module | min | gzip alone |',
    '| --- | ---: | ---: |',
    ...rows.map((r) => `| ${r.name} | ${r.min} | ${r.gzip} |`),
    '',
  ].join('\n');
}

const format = (bytes) => `${(bytes / KB).toFixed(1)} KB`;

if (!args['no-build']) run('node', ['scripts/build.mjs'], { stdio: 'inherit' });
const app = scratchApp();
const failures = [];
try {
  if (
    !app.files.some((f) => f.startsWith('dist/src/')) ||
    app.files.some((f) => /^(src|test|server)\//.test(f))
  ) {
    failures.push(`the packed files are not dist/ only: ${app.files.slice(0, 5).join(', ')}…`);
  }

  const rows = [];
  for (const entry of entries) {
    const code = await bundle(app.dir, entry.code);
    const min = Buffer.byteLength(code);
    const gzip = gzipSync(code, { level: 9 }).length;
    // A binding's budget is what it adds to the entry named by `addsTo`.
    const base = rows.find((r) => r.name === entry.addsTo);
    const added = base === undefined ? gzip : gzip - base.gzip;
    const over = entry.budgetKb !== undefined && added > entry.budgetKb * KB;
    if (over)
      failures.push(`${entry.name}: ${format(added)} min+gzip, over its budget of ${entry.budgetKb} KB`);
    rows.push({ ...entry, min, gzip, added, over });
  }

  const table = [
    '| one-line entry, bundled by Vite 8 (rolldown), minified | min | min+gzip | budget |',
    '| --- | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${format(r.min)} | ${format(r.gzip)}${r.added !== r.gzip ? ` (+${format(r.added)})` : ''} | ${r.budgetKb === undefined ? '' : `≤ ${r.added !== r.gzip ? '+' : ''}${r.budgetKb} KB${r.over ? ' **over**' : ''}${r.targetKb === undefined ? '' : ` (goal ${r.targetKb} KB: ${r.added > r.targetKb * KB ? 'not met' : 'met'})`}`} |`,
    ),
  ].join('\n');
  console.log(`\n${table}\n`);

  // React and Vue reach only the apps that import their binding: the other entries, used whole,
  // bundle no module of a binding and import no framework.
  for (const from of ['idb-sync', 'idb-sync/transport', 'idb-sync/protocol']) {
    const { modules, externals } = await bundleWithGraph(app.dir, uses([[from, '*']]));
    const bindings = modules.filter((m) => /^dist\/src\/(react|vue)\//.test(m));
    if (bindings.length > 0 || externals.length > 0)
      failures.push(`${from} brings in a framework binding: ${[...bindings, ...externals].join(', ')}`);
  }
  for (const framework of ['react', 'vue']) {
    const binding = await bundleWithGraph(app.dir, uses([[`idb-sync/${framework}`, '*']]));
    if (!binding.externals.includes(framework))
      failures.push(`the idb-sync/${framework} bundle does not import ${framework}: the check sees nothing`);
  }
  console.log('frameworks: only the idb-sync/react and idb-sync/vue bundles import react and vue');

  // An app that imports the entries and uses nothing ships nothing of them.
  const leftover = (
    await bundle(
      app.dir,
      "import 'idb-sync';\nimport 'idb-sync/transport';\nimport 'idb-sync/protocol';\nimport 'idb-sync/react';\nimport 'idb-sync/vue';",
    )
  ).trim();
  console.log(
    `a bundle of the entries imported and unused: ${leftover === '' ? 'empty' : `${leftover.length} bytes`}`,
  );
  if (leftover !== '')
    failures.push(`importing the entries alone leaves code in a bundle:\n${leftover.slice(0, 2000)}`);

  // The built entries, imported in Node on fake-indexeddb, open nothing (as src/import-opens-nothing.test.ts checks for src/).
  const probe = join(app.dir, 'probe.mjs');
  writeFileSync(
    probe,
    `import 'fake-indexeddb/auto';
const seen = [];
const wrap = (target, key, label) => { const original = target[key]; target[key] = function (...a) { seen.push(label); return original.apply(this, a); }; };
wrap(indexedDB, 'open', 'indexedDB.open');
wrap(indexedDB, 'deleteDatabase', 'indexedDB.deleteDatabase');
wrap(globalThis, 'setTimeout', 'setTimeout');
wrap(globalThis, 'setInterval', 'setInterval');
wrap(EventTarget.prototype, 'addEventListener', 'addEventListener');
globalThis.BroadcastChannel = class { constructor() { seen.push('BroadcastChannel'); } };
const builtIns = { globalThis, Object: Object.prototype, Array: Array.prototype, Function: Function.prototype, Promise: Promise.prototype, Error: Error.prototype, EventTarget: EventTarget.prototype, String: String.prototype };
const shape = () => Object.fromEntries(Object.entries(builtIns).map(([k, v]) => [k, Reflect.ownKeys(v).map(String).sort().join()]));
const before = shape();
const sdk = await import('idb-sync');
await import('idb-sync/transport');
await import('idb-sync/protocol');
const after = shape();
for (const k of Object.keys(before)) if (before[k] !== after[k]) { const was = new Set(before[k].split(',')); seen.push('changed ' + k + ': ' + after[k].split(',').filter((n) => !was.has(n)).join(' ')); }
const db = sdk.defineDatabase({ name: 'probe', versions: [{ version: 1, stores: { a: { keyPath: 'id', kind: 'transactional' } } }] });
if (db.state !== 'closed') seen.push('state ' + db.state);
console.log(JSON.stringify(seen));
`,
  );
  symlinkSync(
    join(root, 'node_modules', 'fake-indexeddb'),
    join(app.dir, 'node_modules', 'fake-indexeddb'),
    'dir',
  );
  const seen = JSON.parse(run('node', [probe], { cwd: app.dir }).trim().split('\n').at(-1));
  console.log(
    `importing the built entries in Node: ${seen.length === 0 ? 'opens nothing' : seen.join(', ')}`,
  );
  if (seen.length > 0) failures.push(`importing the built entries did: ${seen.join(', ')}`);

  if (args.json) writeFileSync(args.json, JSON.stringify({ rows, failures }, null, 2));
  if (args.breakdown) {
    const parts = [];
    for (const entry of entries.filter((e) => e.budgetKb !== undefined))
      parts.push(await breakdown(app.dir, entry));
    writeFileSync(args.breakdown, parts.join('\n'));
    console.log(`breakdown written to ${args.breakdown}`);
  }
  if (args.write) {
    const readme = join(root, 'README.md');
    const text = readFileSync(readme, 'utf8');
    const start = '<!-- size:start (npm run size -- --write) -->';
    const end = '<!-- size:end -->';
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    if (from < 0 || to < from) throw new Error(`README.md has no ${start} … ${end} markers`);
    writeFileSync(readme, `${text.slice(0, from + start.length)}\n${table}\n${text.slice(to)}`);
    console.log('README.md updated');
  }
} finally {
  rmSync(app.dir, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.error(`\nsize check failed:\n- ${failures.join('\n- ')}`);
  process.exit(1);
}
console.log('size check passed');
