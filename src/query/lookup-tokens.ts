/** How {@link lookupTokens} cuts text into tokens. Use the same options for indexing and searching. */
export interface LookupTokenOptions {
  /**
   * Shortest word prefix stored as a token. Words are stored whole plus every prefix of at least this
   * many characters, so a search word matches the start of any word ("pum" finds "Pump"). Search
   * words shorter than this are matched in memory, never used to pick index entries. Default `2`.
   */
  readonly minPrefixLength?: number;
  /**
   * Longest prefix stored (whole words longer than this are still stored whole). Bounds the index
   * size for long words. Default `12`.
   */
  readonly maxPrefixLength?: number;
}

/** The default of {@link LookupTokenOptions.minPrefixLength}. */
export const DEFAULT_MIN_PREFIX_LENGTH = 2;
const DEFAULT_MAX_PREFIX_LENGTH = 12;

/**
 * Lowercased, accent-folded words of `text`: Unicode letters and digits, everything else separates
 * words ("Réparation d'une pompe-à-chaleur" → `reparation d une pompe a chaleur`). Accents are
 * folded through NFD decomposition, dropping combining marks, so "é" and "e" match.
 */
export function lookupWords(text: string): string[] {
  const folded = text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
  return folded.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
}

/**
 * The search tokens of a record, to store in a field indexed with `multiEntry: true` (for example
 * `tokens: lookupTokens(record.code, record.name)`): every word of the texts, lowercased and
 * accent-folded, whole and as prefixes of `minPrefixLength`..`maxPrefixLength` characters, without
 * duplicates, sorted. Prefixes are stored (instead of matching by key range at query time) so that
 * each matching record appears exactly once under a search word's index key, in primary-key order:
 * that is what makes paging stable and multi-word intersection cheap.
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
    for (const word of lookupWords(text)) {
      tokens.add(word);
      const chars = Array.from(word);
      for (let n = min; n < chars.length && n <= max; n++) tokens.add(chars.slice(0, n).join(''));
    }
  }
  return [...tokens].sort();
}

/** Applies the defaults of {@link LookupTokenOptions}. */
export function resolveTokenOptions(options: LookupTokenOptions): { min: number; max: number } {
  const min = Math.max(1, options.minPrefixLength ?? DEFAULT_MIN_PREFIX_LENGTH);
  return { min, max: Math.max(min, options.maxPrefixLength ?? DEFAULT_MAX_PREFIX_LENGTH) };
}

/**
 * Whether a search word is stored as a token of every word it is a prefix of, i.e. whether it can
 * be looked up in the token index directly.
 */
export function isIndexedWord(word: string, options: LookupTokenOptions): boolean {
  const { min, max } = resolveTokenOptions(options);
  const length = Array.from(word).length;
  return length >= min && length <= max;
}
