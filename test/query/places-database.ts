// The database of real place names (GeoNames' cities1000) that searchLookup is checked and measured
// on in real browsers: the e2e scenario lookup-search-real-names and the bench workload search-real.
import { type DatabaseHandle, defineDatabase, lookupTokens } from '../../src/index.js';

/** A place as GeoNames gives it (the fields the search uses). */
export interface PlaceNames {
  readonly id: number;
  readonly name: string;
  readonly names: readonly string[];
  readonly country: string;
  readonly population: number;
  /** `lookupTokens` of the names, when the caller made them already. */
  readonly tokens?: readonly string[];
}

/** The lookup store the places are kept in. */
export const PLACES_STORE = 'places';

/**
 * Defines database `name` with the places' lookup store (token, country and population indexes)
 * and stores `places` in it with their tokens (theirs, else `lookupTokens` of every name, as an
 * app's `fromServer` makes them), `pageSize` records per transaction.
 */
export async function storePlaces(
  name: string,
  places: readonly PlaceNames[],
  pageSize: number,
): Promise<DatabaseHandle> {
  const db = defineDatabase({
    name,
    versions: [
      {
        version: 1,
        stores: {
          [PLACES_STORE]: {
            keyPath: 'id',
            kind: 'lookup',
            indexes: {
              byToken: { keyPath: 'tokens', multiEntry: true },
              byCountry: { keyPath: 'country' },
              byPopulation: { keyPath: 'population' },
            },
          },
        },
      },
    ],
    evictionHintStorage: null,
  });
  for (let i = 0; i < places.length; i += pageSize) {
    const page = places.slice(i, i + pageSize);
    await db.write(
      [PLACES_STORE],
      (tx) => {
        const store = tx.objectStore(PLACES_STORE);
        for (const p of page) store.put({ ...p, tokens: p.tokens ?? lookupTokens([p.name, ...p.names]) });
      },
      { localOnly: true },
    );
  }
  return db;
}
