import { describe, expect, it } from 'vitest';
import { FOLDING_TABLE, foldText } from './fold-text.js';
import { lookupTokens } from './lookup-tokens.js';

/** Real place names (GeoNames) and what a user types for them on a plain keyboard. */
const names: [script: string, name: string, typed: string[]][] = [
  ['Polish', 'Łódź', ['lodz', 'LODZ', 'łódź']],
  ['Norwegian', 'Tromsø', ['tromso']],
  ['Turkish', 'Diyarbakır', ['diyarbakir', 'DİYARBAKIR']],
  ['German', 'Gießen', ['giessen', 'GIESSEN', 'gießen']],
  ['Faroese', 'Þórshöfn', ['thorshofn']],
  ['Danish', 'Ærøskøbing', ['aeroskobing']],
  ['Vietnamese', 'Đà Nẵng', ['da nang']],
  ['Icelandic', 'Garðabær', ['gardabaer']],
  ['Maltese', 'Ħamrun', ['hamrun']],
  ['Azerbaijani', 'Gəncə', ['gence']],
  ['Croatian', 'Đakovo', ['dakovo']],
  ['Romanian', 'Constanța', ['constanta']],
  ['French', 'Œuilly', ['oeuilly']],
  ['Portuguese', 'São Paulo', ['sao paulo']],
  ['Catalan', 'Sant Martí de Tous', ['marti']],
  ['Russian', 'Москва', ['москва', 'МОСК']],
  ['Russian, ё', 'Королёв', ['королев']],
  ['Greek', 'Αθήνα', ['αθηνα', 'ΑΘΗΝΑ']],
  ['Greek, final sigma', 'Χανιάς', ['χανιας', 'ΧΑΝΙΑΣ']],
  ['Arabic', 'الإسكندرية', ['الاسكندريه', 'الاسك']],
  ['Persian', 'کرمان', ['كرمان']],
  ['Hebrew', 'ירושלים', ['ירושלים', 'ירושל']],
  ['Japanese', '東京', ['東京', '東']],
  ['Japanese, half-width kana', 'ｻｯﾎﾟﾛ', ['サッポロ']],
  ['Korean', '서울특별시', ['서울', '특별']],
  ['Chinese', '北京市', ['北京', '京市']],
  ['Hindi', 'दिल्ली', ['दिल्ली', 'दिल']],
  ['Full-width', 'ＴＯＫＹＯ', ['tokyo']],
];

describe('folding', () => {
  it.each(names)('%s: "%s" is found by what a user types', (_, name, typed) => {
    const tokens = lookupTokens(name);
    for (const query of typed) {
      const folded = foldText(query).split(/\s+/);
      for (const word of folded) {
        expect(tokens.some((t) => t === word || t === `=${word}` || t.startsWith(`=${word}`))).toBe(true);
      }
    }
  });

  it('keeps the letters of other words apart', () => {
    expect(foldText('Łódź')).not.toBe(foldText('Lida'));
    expect(foldText('दिल्ली')).not.toBe(foldText('दल्ल'));
    expect(lookupTokens('ł')).toEqual(['=l', 'l']);
  });

  it('maps every table entry to lowercase letters, digits or nothing', () => {
    for (const [from, to] of Object.entries(FOLDING_TABLE)) {
      expect(foldText(to)).toBe(to);
      expect(foldText(from)).toBe(to);
    }
  });
});
