import { describe, expect, it } from 'vitest';
import { foldTerms } from './fold-text.js';
import { lookupTokens, lookupWords, termKeys, tokensHoldWhole, tokensMatch } from './lookup-tokens.js';

describe('lookupTokens', () => {
  it('folds case, accents and the folding table, and splits on anything but letters, digits and marks', () => {
    expect(lookupWords('Réparation d’une POMPE-à-chaleur n°12')).toEqual([
      'reparation',
      'dune',
      'd',
      'une',
      'pompe',
      'a',
      'chaleur',
      'n',
      '12',
    ]);
  });

  it('stores every prefix from minPrefixLength up to maxPrefixLength and each word whole, marked, sorted', () => {
    expect(lookupTokens(['San Sant', null, 'a'])).toEqual(
      ['s', 'sa', 'san', 'sant', '=san', '=sant', 'a', '=a'].sort(),
    );
    expect(lookupTokens('hydraulically', { minPrefixLength: 10, maxPrefixLength: 11 })).toEqual([
      '=hydraulically',
      'hydraulica',
      'hydraulical',
    ]);
  });

  it('stores CJK runs as their characters and character pairs, and whole', () => {
    expect(lookupTokens('北京市 Tokyo東京')).toEqual(
      [
        '北',
        '京',
        '市',
        '北京',
        '京市',
        '=北京市',
        't',
        'to',
        'tok',
        'toky',
        'tokyo',
        '=tokyo',
        '東',
        '京',
        '東京',
        '=東京',
      ]
        .filter((t, i, all) => all.indexOf(t) === i)
        .sort(),
    );
  });

  it('looks a long search word up by its stored prefix and checks it whole', () => {
    const [term] = foldTerms('Wulkaprodersdorf');
    const keys = termKeys(term!, {});
    expect(keys).toEqual({
      term,
      prefixKeys: ['wulkaproders'],
      wholeKey: '=wulkaprodersdorf',
      needsCheck: true,
    });
    const tokens = lookupTokens('Wulkaprodersdorf');
    expect(tokens).toContain('wulkaproders');
    expect(tokensMatch(tokens, term!)).toBe(true);
    expect(tokensHoldWhole(tokens, term!)).toBe(true);
    expect(tokensMatch(lookupTokens('Wulkaproderstal'), term!)).toBe(false);
  });

  it('looks a CJK run up by its pairs and checks it inside a run', () => {
    const [term] = foldTerms('京市');
    expect(termKeys(term!, {}).prefixKeys).toEqual(['京市']);
    const [long] = foldTerms('北京市');
    expect(termKeys(long!, {})).toMatchObject({ prefixKeys: ['北京', '京市'], needsCheck: true });
    expect(tokensMatch(lookupTokens('北京市'), long!)).toBe(true);
    expect(tokensMatch(lookupTokens('北京 京市'), long!)).toBe(false);
    expect(tokensHoldWhole(lookupTokens('北京市'), term!)).toBe(false);
  });

  it('joins apostrophes in a query and indexes both the joined word and its parts', () => {
    expect(foldTerms("l'Aquila", true).map((t) => t.text)).toEqual(['laquila']);
    expect(lookupWords("L'Aquila Hawaiʻi")).toEqual(['laquila', 'l', 'aquila', 'hawaii', 'hawai', 'i']);
  });
});

describe('tokens made before 0.2.0', () => {
  it('still match by prefix (as prefix matches: they mark no whole word)', () => {
    const legacy = ['pu', 'pum', 'pump', 're', 'rep', 'repa', 'repai', 'repair'];
    const [pump] = foldTerms('pump');
    const [rep] = foldTerms('rep');
    const [valve] = foldTerms('valve');
    expect(tokensMatch(legacy, pump!)).toBe(true);
    expect(tokensMatch(legacy, rep!)).toBe(true);
    expect(tokensMatch(legacy, valve!)).toBe(false);
    expect(tokensHoldWhole(legacy, pump!)).toBe(false);
  });
});
