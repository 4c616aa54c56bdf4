import { foldTerms, type LookupTerm } from './fold-text.js';

/** How {@link lookupTokens} cuts text into tokens. Use the same options for indexing and searching. */
export interface LookupTokenOptions {
  /**
   * Shortest word prefix stored as a token. Search words shorter than this are matched in memory,
   * never used to pick index entries. Default `1`: every word can be looked up.
   */
  readonly minPrefixLength?: number;
  /**
   * Longest prefix stored. A longer search word is looked up by its prefix of this length and
   * checked whole in memory. Bounds the index size for long words. Default `12`.
   */
  readonly maxPrefixLength?: number;
}

const DEFAULT_MIN_PREFIX_LENGTH = 1;
const DEFAULT_MAX_PREFIX_LENGTH = 12;

/**
 * The version of what {@link lookupTokens} makes. The sync client refetches a lookup collection with
 * a `fromServer` transform whose records were derived under an older version (0.1 made version 1).
 */
export const LOOKUP_TOKENS_VERSION = 2;

/** Marks a whole word (or whole CJK run) among the tokens: `=word`. */
export const WHOLE_WORD = '=';

/**
 * The search tokens of a record, to store in a field indexed with `multiEntry: true` (for example
 * `tokens: lookupTokens([record.code, record.name])`). Sorted, without duplicates. Text is folded
 * first (case, accents and the letters of folding table (`FOLDING_TABLE` in `src/query/fold-text.ts`): see `docs/lookup-search.md`), then:
 *
 * - each **word** is stored as its prefixes of `minPrefixLength`..`maxPrefixLength` characters
 *   ("san" → `s`, `sa`, `san`) and once whole, marked: `=san`. Prefixes make every search word an
 *   exact index key, so a record appears once under it, in primary-key order; the whole word ranks
 *   exact matches first.
 * - each **CJK run** (Han, kana, Hangul: no spaces between words) is stored as its characters and
 *   its character pairs ("北京市" → `北`, `京`, `市`, `北京`, `京市`) and once whole, `=北京市`: a search
 *   for any part of a run finds it (its pairs are looked up, the run is checked whole in memory).
 *
 * The format changed in 0.2.0 (whole words marked, one-letter prefixes, the folding table): records
 * made by an older version are found by their new tokens only once they are made again (see the
 * CHANGELOG: the sync client refetches such lookup collections by itself).
 *
 * @param texts the record's searchable texts; `null`/`undefined` are skipped.
 * @param options see {@link LookupTokenOptions}; pass the same to {@link searchLookup}.
 */
export function lookupTokens(
  texts: string | readonly (string | null | undefined)[],
  options: LookupTokenOptions = {},
): string[] {
  const { min, max } = resolveTokenOptions(options);
  const tokens = new Set<string>();
  for (const text of typeof texts === 'string' ? [texts] : texts) {
    if (text == null) continue;
    for (const term of foldTerms(text)) {
      tokens.add(WHOLE_WORD + term.text);
      if (term.cjk) {
        const chars = Array.from(term.text);
        for (let i = 0; i < chars.length; i++) {
          tokens.add(chars[i] as string);
          if (i + 1 < chars.length) tokens.add(`${chars[i]}${chars[i + 1]}`);
        }
        continue;
      }
      // Prefixes by code point (a surrogate pair is one character).
      let prefix = '';
      let n = 0;
      for (const char of term.text) {
        prefix += char;
        n += 1;
        if (n > max) break;
        if (n >= min) tokens.add(prefix);
      }
    }
  }
  return [...tokens].sort();
}

/**
 * The words of `text` as they are indexed, folded (see `foldText` in `src/query/fold-text.ts`): "Réparation d'une
 * POMPE-à-chaleur" → `reparation`, `dune`, `d`, `une`, `pompe`, `a`, `chaleur`. A record matches a
 * search when every search word starts one of its words (or, for CJK, lies inside one of its runs).
 */
export function lookupWords(text: string): string[] {
  return foldTerms(text).map((t) => t.text);
}

/** Applies the defaults of {@link LookupTokenOptions}. */
export function resolveTokenOptions(options: LookupTokenOptions): { min: number; max: number } {
  const min = Math.max(1, options.minPrefixLength ?? DEFAULT_MIN_PREFIX_LENGTH);
  return { min, max: Math.max(min, options.maxPrefixLength ?? DEFAULT_MAX_PREFIX_LENGTH) };
}

/** How a search term is looked up and checked. */
export interface TermKeys {
  readonly term: LookupTerm;
  /**
   * Index keys every record matching the term has (all of them): its prefix token (cut to
   * `maxPrefixLength`), or its character pairs for a CJK run. Empty when the term is shorter than
   * `minPrefixLength` (then it is checked in memory only).
   */
  readonly prefixKeys: readonly string[];
  /** The index key of records that have the term as a whole word. */
  readonly wholeKey: string;
  /** Whether a record under `prefixKeys` may still not match (a long word, a CJK run of 3+). */
  readonly needsCheck: boolean;
}

/** The index keys of a search term. */
export function termKeys(term: LookupTerm, options: LookupTokenOptions): TermKeys {
  const { min, max } = resolveTokenOptions(options);
  const chars = Array.from(term.text);
  const wholeKey = WHOLE_WORD + term.text;
  if (term.cjk) {
    if (chars.length <= 2) return { term, prefixKeys: [term.text], wholeKey, needsCheck: false };
    const pairs = new Set<string>();
    for (let i = 0; i + 1 < chars.length; i++) pairs.add(`${chars[i]}${chars[i + 1]}`);
    return { term, prefixKeys: [...pairs], wholeKey, needsCheck: true };
  }
  if (chars.length < min) return { term, prefixKeys: [], wholeKey, needsCheck: true };
  if (chars.length <= max) return { term, prefixKeys: [term.text], wholeKey, needsCheck: false };
  return { term, prefixKeys: [chars.slice(0, max).join('')], wholeKey, needsCheck: true };
}

/**
 * Whether a record's tokens match a term (as a prefix of a word, or inside a CJK run). Tokens made
 * before 0.2.0 (no whole word marked) are read as they were meant: the term starts one of them.
 */
export function tokensMatch(tokens: readonly unknown[], term: LookupTerm): boolean {
  const marked = WHOLE_WORD + term.text;
  let legacy = true;
  for (const token of tokens) {
    if (typeof token !== 'string' || !token.startsWith(WHOLE_WORD)) continue;
    legacy = false;
    if (term.cjk ? token.includes(term.text, 1) : token.startsWith(marked)) return true;
  }
  return legacy && tokens.some((t) => typeof t === 'string' && t.startsWith(term.text));
}

/** Whether a record's tokens hold a term as a whole word (or whole CJK run). */
export function tokensHoldWhole(tokens: readonly unknown[], term: LookupTerm): boolean {
  return tokens.includes(WHOLE_WORD + term.text);
}
