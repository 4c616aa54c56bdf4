/**
 * The folding applied alike to indexed text ({@link lookupTokens}) and to what users type
 * ({@link searchLookup}), so that "lodz" finds "Łódź", "giessen" finds "Gießen" and "ΑΘΗΝΑ" finds
 * "Αθήνα". In order:
 *
 * 1. **Case folding** by Unicode's full case mappings (upper then lower case: "ß" → "ss", "ﬀ" → "ff",
 *    "ſ" → "s", "İ"/"ı" → "i").
 * 2. **Compatibility decomposition** (NFKD): ligatures, full-width and superscript forms become their
 *    plain letters and digits ("ﬁ" → "fi", "Ａ１" → "a1", "ĳ" → "ij"), accented letters a base letter
 *    plus combining marks.
 * 3. **Diacritics dropped**: the combining marks of Latin, Greek and Cyrillic ("é" → "e", "ё" → "е",
 *    "ά" → "α"), Hebrew points and Arabic vowel marks. Marks that are letters' vowels (Devanagari,
 *    Thai, …) are kept: they are part of the word.
 * 4. **{@link FOLDING_TABLE}**: letters that no decomposition reaches (ł ø đ ð þ æ œ ħ ŧ ŋ ə …),
 *    final forms (Greek ς, Hebrew ך ם ן ף ץ), Arabic and Persian letter variants and digits.
 * 5. **Canonical composition** (NFC), so Hangul syllables and kana with voicing marks are one
 *    character again.
 *
 * Words are runs of letters, digits and the marks kept; anything else separates words. Apostrophes
 * inside a word ("L'Aquila", "Hawaiʻi") join: the word is indexed joined ("laquila") and as its
 * parts ("l", "aquila"). Han, kana and Hangul runs are cut out as their own words (CJK text has no
 * spaces; see {@link lookupTokens} for how they are matched).
 */
export const FOLDING_TABLE: Readonly<Record<string, string>> = {
  // Latin letters without a decomposition.
  ł: 'l',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  æ: 'ae',
  œ: 'oe',
  ß: 'ss',
  ı: 'i',
  ħ: 'h',
  ŧ: 't',
  ŀ: 'l',
  ĸ: 'k',
  ŋ: 'n',
  ə: 'e',
  ǝ: 'e',
  ɛ: 'e',
  ɔ: 'o',
  ƒ: 'f',
  ɓ: 'b',
  ɗ: 'd',
  ƙ: 'k',
  ƴ: 'y',
  ƶ: 'z',
  ȥ: 'z',
  ʒ: 'z',
  ǥ: 'g',
  ɨ: 'i',
  ʉ: 'u',
  ƀ: 'b',
  ȼ: 'c',
  ɇ: 'e',
  ɍ: 'r',
  ɏ: 'y',
  ƚ: 'l',
  ɲ: 'n',
  // Final letter forms (typed where a word ends, stored where it goes on).
  ς: 'σ',
  ך: 'כ',
  ם: 'מ',
  ן: 'נ',
  ף: 'פ',
  ץ: 'צ',
  // Arabic and Persian letter variants, as search engines fold them.
  ٱ: 'ا',
  ى: 'ي',
  ی: 'ي',
  ک: 'ك',
  ة: 'ه',
  ە: 'ه',
  ـ: '',
  // Arabic-Indic and Persian digits.
  '٠': '0',
  '١': '1',
  '٢': '2',
  '٣': '3',
  '٤': '4',
  '٥': '5',
  '٦': '6',
  '٧': '7',
  '٨': '8',
  '٩': '9',
  '۰': '0',
  '۱': '1',
  '۲': '2',
  '۳': '3',
  '۴': '4',
  '۵': '5',
  '۶': '6',
  '۷': '7',
  '۸': '8',
  '۹': '9',
  // Catalan's middle dot joins ("l·l"); it is not a separator.
  '·': '',
};

/** Combining marks dropped by the folding: diacritics, Hebrew points, Arabic vowel marks. */
const DIACRITICS =
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: ranges of combining marks, matched one by one
  /[\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/gu;

const TABLE_KEYS = new RegExp(`[${Object.keys(FOLDING_TABLE).join('')}]`, 'gu');

/** Apostrophes and the modifier letters used as apostrophes, okina, ayin and hamza in names. */
const APOSTROPHES = /['\u2018\u2019\u02b9\u02bb\u02bc\u02bd\u02be\u02bf`\u00b4]/u;

/** A word: letters, digits, kept marks, and apostrophes inside it. */
const WORD =
  /[\p{L}\p{N}\p{M}]+(?:['\u2018\u2019\u02b9\u02bb\u02bc\u02bd\u02be\u02bf`\u00b4]+[\p{L}\p{N}\p{M}]+)*/gu;

/** Characters of the scripts cut into n-grams: Han, Hiragana, Katakana, Hangul, and their marks. */
const CJK_RUN =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3005\u30fc\u3099\u309a]+/gu;
const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

const ASCII = /^[ -~\t\n\r]*$/;

/** `text` folded as described at {@link FOLDING_TABLE}: what is indexed and searched. */
export function foldText(text: string): string {
  // Plain ASCII folds by lower case alone (NFKD and the table leave it as it is).
  if (ASCII.test(text)) return text.toLowerCase();
  return text
    .toUpperCase()
    .toLowerCase()
    .normalize('NFKD')
    .replace(DIACRITICS, '')
    .replace(TABLE_KEYS, (c) => FOLDING_TABLE[c] ?? c)
    .normalize('NFC');
}

/** One searchable unit of text: a word (matched by prefix) or a CJK run (matched by substring). */
export interface LookupTerm {
  readonly text: string;
  readonly cjk: boolean;
}

/**
 * The terms of `text`, folded. `joinedOnly` keeps only the joined form of words with apostrophes
 * (what a query means by "l'aquila"); indexing keeps the parts too.
 */
export function foldTerms(text: string, joinedOnly = false): LookupTerm[] {
  const terms: LookupTerm[] = [];
  for (const [raw] of foldText(text).matchAll(WORD)) {
    const parts = APOSTROPHES.test(raw) ? raw.split(APOSTROPHES).filter((p) => p !== '') : [raw];
    const words = parts.length > 1 && !joinedOnly ? [parts.join(''), ...parts] : [parts.join('')];
    for (const word of words) splitCjk(word, terms);
  }
  return terms;
}

/** Cuts CJK runs out of a word: "東京tower" → 東京 (CJK) and tower. */
function splitCjk(word: string, into: LookupTerm[]): void {
  if (!CJK_CHAR.test(word)) {
    into.push({ text: word, cjk: false });
    return;
  }
  let last = 0;
  for (const match of word.matchAll(CJK_RUN)) {
    const start = match.index;
    if (start > last) into.push({ text: word.slice(last, start), cjk: false });
    into.push({ text: match[0], cjk: true });
    last = start + match[0].length;
  }
  if (last < word.length) into.push({ text: word.slice(last), cjk: false });
}
