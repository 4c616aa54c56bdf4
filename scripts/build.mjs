#!/usr/bin/env node
// `npm run build`: the package's dist/, one ES module (+ .d.ts + source map) per source file, by tsc.
// Every entry is a tsc project emitting into dist/ with rootDir `.`, so dist/ mirrors the repository
// (dist/src/…, and dist/server/… once that entry exists) and modules shared by two entries (the
// protocol, imported by the client and the server) are emitted once, at one path.
//
// To add an entry (e.g. `idb-sync/server`): a tsconfig.<entry>.json that extends tsconfig.build.json
// and lists its entry file in `files` (with its own `types`/`lib`), its name in `projects` below, and
// an `exports` entry in package.json pointing at dist/<path>.js and .d.ts.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const projects = [
  'tsconfig.build.json',
  'tsconfig.server.json',
  'tsconfig.conformance.json',
  'tsconfig.react.json',
  'tsconfig.vue.json',
];

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
for (const project of projects) {
  console.log(`tsc -p ${project}`);
  const result = spawnSync('npx', ['tsc', '-p', project], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
