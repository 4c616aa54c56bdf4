#!/usr/bin/env node
// Checks the links of the user and contributor docs (README, CONTRIBUTING, CHANGELOG, docs/, demo/,
// bench/): every relative link names a file that exists and, with `#anchor`, a heading of that file
// (GitHub's anchor rules); every repository path written in backticks (`src/…/x.ts`) exists; each
// test cited in docs/guarantees.md as `path` › "test name" is a test of that file; and
// docs/error-codes.md lists every code of `IdbSyncErrorMap` (src/errors/error-map.ts).
// Usage: node scripts/check-links.mjs [files...]. Exits 1 and lists the broken ones.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function markdownFiles(dir) {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'api' || entry.name === '.out' ? [] : markdownFiles(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

const defaults = [
  'README.md',
  'CONTRIBUTING.md',
  'CHANGELOG.md',
  'demo/README.md',
  ...markdownFiles('docs'),
  ...markdownFiles('bench').filter((f) => dirname(f) === 'bench'),
].filter((f) => existsSync(join(root, f)));
const files = process.argv.length > 2 ? process.argv.slice(2) : defaults;

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(text) {
  const anchors = new Set();
  const seen = new Map();
  let fenced = false;
  for (const line of text.split('\n')) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading === null) continue;
    const base = heading[1]
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  for (const match of text.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(match[1]);
  return anchors;
}

/** Text outside fenced code blocks (links and paths in code are examples, not references). */
function prose(text) {
  let fenced = false;
  return text
    .split('\n')
    .map((line) => {
      if (/^\s*```/.test(line)) {
        fenced = !fenced;
        return '';
      }
      return fenced ? '' : line;
    })
    .join('\n');
}

const repoPath =
  /^(?:src|server|conformance|test|e2e|bench|demo|scripts|examples|docs|load|\.ci)\/[\w@.+-]+(?:\/[\w@.+-]+)*\.(?:ts|mjs|js|json|md|sql|html|png)$/;

const problems = [];
const anchorCache = new Map();
const anchorsFor = (file) => {
  if (!anchorCache.has(file)) anchorCache.set(file, anchorsOf(readFileSync(file, 'utf8')));
  return anchorCache.get(file);
};

for (const file of files) {
  const absolute = resolve(root, file);
  const text = prose(readFileSync(absolute, 'utf8'));
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const where = `${relative(root, absolute)}:${i + 1}`;
    // Links outside inline code.
    const outsideCode = line.replace(/`[^`]*`/g, '');
    for (const match of outsideCode.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = match[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, …
      const [path, anchor] = target.split('#');
      const linked = path === '' ? absolute : resolve(dirname(absolute), decodeURIComponent(path));
      if (!existsSync(linked)) {
        problems.push(`${where}: ${target}: no such file`);
        continue;
      }
      if (anchor !== undefined && anchor !== '' && statSync(linked).isFile() && linked.endsWith('.md')) {
        if (!anchorsFor(linked).has(anchor)) problems.push(`${where}: ${target}: no heading #${anchor}`);
      }
    }
    // Repository paths in inline code.
    for (const match of line.matchAll(/`([^`\s]+)`/g)) {
      const path = match[1].replace(/:\d+$/, '');
      const exists = existsSync(join(root, path)) || existsSync(join(root, path.replace(/\.js$/, '.ts')));
      if (repoPath.test(path) && !exists) problems.push(`${where}: \`${path}\`: no such file`);
    }
  });
}

/**
 * Whether a cited test name can be read in the test file: verbatim, or (for names built in a template
 * literal, `connection is ${how}`) as at most three long pieces of the file's text in a row. A
 * leading or trailing "…" stands for the rest of the name.
 */
function builtFrom(cited, source) {
  let rest = cited.replace(/^(…|\.\.\.)\s*/, '').replace(/\s*(…|\.\.\.)$/, '');
  for (let pieces = 0; rest !== ''; pieces += 1) {
    let n = rest.length;
    while (n > 0 && !source.includes(rest.slice(0, n))) n -= 1;
    if (pieces === 3 || n < Math.min(12, rest.length)) return false;
    rest = rest.slice(n);
  }
  return true;
}

// docs/guarantees.md cites tests as `path` › "name", "name" …: each name must be in that file.
const guarantees = join(root, 'docs/guarantees.md');
if (existsSync(guarantees) && files.some((f) => resolve(root, f) === guarantees)) {
  for (const line of readFileSync(guarantees, 'utf8').split('\n')) {
    for (const cite of line.matchAll(/`([^`]+\.test\.ts)`\s*›\s*((?:"[^"]*"(?:,\s*)?)+)/g)) {
      const path = join(root, cite[1]);
      if (!existsSync(path)) continue; // reported above
      const source = readFileSync(path, 'utf8');
      for (const name of cite[2].matchAll(/"([^"]*)"/g)) {
        if (!builtFrom(name[1], source))
          problems.push(`docs/guarantees.md: ${cite[1]} has no test "${name[1]}"`);
      }
    }
  }
}

// docs/error-codes.md lists every stable code: each key of IdbSyncErrorMap appears there as `CODE`.
const errorCodes = join(root, 'docs/error-codes.md');
if (existsSync(errorCodes) && files.some((f) => resolve(root, f) === errorCodes)) {
  const map = readFileSync(join(root, 'src/errors/error-map.ts'), 'utf8');
  const body = /export interface IdbSyncErrorMap \{([\s\S]*?)\n\}/.exec(map)?.[1] ?? '';
  const codes = [...body.matchAll(/^\s*([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]);
  if (codes.length === 0) problems.push('src/errors/error-map.ts: no IdbSyncErrorMap keys found');
  const listed = readFileSync(errorCodes, 'utf8');
  for (const code of codes) {
    if (!listed.includes(`\`${code}\``)) problems.push(`docs/error-codes.md: code ${code} is not listed`);
  }
}

console.log(`${files.length} files checked`);
if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error(`${problems.length} broken link(s) or path(s)`);
  process.exit(1);
}
console.log('all links and paths resolve');
