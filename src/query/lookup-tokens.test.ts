import { describe, expect, it } from 'vitest';
import { isIndexedWord, lookupTokens, lookupWords } from './lookup-tokens.js';

describe('lookupTokens', () => {
  it('lowercases, folds accents and splits on anything but letters and digits', () => {
    expect(lookupWords("Réparation d'une POMPE-à-chaleur n°12")).toEqual([
      'reparation',
      'd',
      'une',
      'pompe',
      'a',
      'chaleur',
      'n',
      '12',
    ]);
  });

  it('stores whole words and their prefixes from minPrefixLength up to maxPrefixLength, once, sorted', () => {
    expect(lookupTokens(['Pump pumping', null, 'Fan'])).toEqual(
      ['fa', 'fan', 'pu', 'pum', 'pump', 'pumpi', 'pumpin', 'pumping'].sort(),
    );
    expect(lookupTokens('hydraulically', { minPrefixLength: 10, maxPrefixLength: 11 })).toEqual([
      'hydraulica',
      'hydraulical',
      'hydraulically',
    ]);
  });

  it('says which search words can be looked up in the token index', () => {
    expect(isIndexedWord('p', {})).toBe(false);
    expect(isIndexedWord('pu', {})).toBe(true);
    expect(isIndexedWord('hydraulicall', {})).toBe(true);
    expect(isIndexedWord('hydraulically', {})).toBe(false);
  });
});
