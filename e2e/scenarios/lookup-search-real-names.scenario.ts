import assert from 'node:assert/strict';
import { sampleCities } from '../../test/query/geonames-cities.js';
import { defineScenario } from '../harness/scenario.js';
import type * as page from './lookup-search-real-names.page.js';

const NAMED = ['Łódź', 'Tromsø', 'Gießen', 'Wulkaprodersdorf', 'Santiago', 'Köln', 'San José'];

const queries: page.RealQuery[] = [
  { text: 'lodz' },
  { text: 'giessen' },
  { text: 'wulkaprodersdorf' },
  { text: 'san' },
  { text: 's', order: 'desc' },
  { text: 'san', order: 'desc' },
  { text: 'x' },
  { text: 'san jose' },
  { text: 'моск' },
  { text: '京' },
  { text: 's', country: 'DE' },
  { text: 'san', above: 100_000 },
  { text: '', above: 500_000, order: 'desc' },
  { text: 'b', below: 5_000, order: 'asc' },
];

export default defineScenario<typeof page>({
  title:
    'searchLookup on real place names (GeoNames sample, many scripts): pages, ranking, order, ranges and counts match a brute force',
  persistent: true,
  timeoutMs: 120_000,
  async run({ tab, note }) {
    const sample = sampleCities(3000, NAMED);
    assert.equal(await tab.run('load', sample), sample.length);
    for (const query of queries) {
      const started = performance.now();
      const { got, want, total, pages } = await tab.run('compare', query, 25);
      assert.deepEqual(got, want, JSON.stringify(query));
      assert.equal(total, want.length, `count of ${JSON.stringify(query)}`);
      note(
        `${JSON.stringify(query)}: ${want.length} matches in ${pages} pages, ${(performance.now() - started).toFixed(0)} ms`,
      );
    }
  },
});
