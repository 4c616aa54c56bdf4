import { describe, expect, it } from 'vitest';
import { parseRecords } from './parse-records.js';

/** The text cut into chunks of `size` characters (as a network stream cuts it), as bytes. */
async function* chunks(text: string, size: number) {
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}

const all = async (text: string, format: 'ndjson' | 'json' | 'csv', size = 3) => {
  const out: unknown[] = [];
  for await (const record of parseRecords(chunks(text, size), format)) out.push(record);
  return out;
};

const cities = [
  { id: 'c1', name: 'Zürich', population: 421878, tags: ['lake', '{x}'] },
  { id: 'c2', name: 'São Paulo "SP"', population: 12325232, tags: [] },
];

describe('parseRecords', () => {
  it('reads NDJSON whatever the chunk boundaries (multi-byte characters split too), skipping blank lines', async () => {
    const text = `${JSON.stringify(cities[0])}\r\n\n${JSON.stringify(cities[1])}`;
    for (const size of [1, 2, 7, 1000]) expect(await all(text, 'ndjson', size)).toEqual(cities);
  });

  it('reads a JSON array element by element, brackets and commas inside strings included', async () => {
    const text = ` [\n${cities.map((c) => JSON.stringify(c, null, 2)).join(' ,\n')}\n] `;
    for (const size of [1, 5, 1000]) expect(await all(text, 'json', size)).toEqual(cities);
    expect(await all('[]', 'json')).toEqual([]);
  });

  it('reads CSV with a header, quoted fields, escaped quotes, line breaks in quotes, and typed cells', async () => {
    const text =
      'id,name,population,capital,note\r\n' +
      'c1,Zürich,421878,false,\r\n' +
      'c2,"São Paulo ""SP""",12325232,true,"two\nlines"\n' +
      'c3,"Comma, Town",007,TRUE,-3.5\n';
    expect(await all(text, 'csv', 4)).toEqual([
      { id: 'c1', name: 'Zürich', population: 421878, capital: false, note: null },
      { id: 'c2', name: 'São Paulo "SP"', population: 12325232, capital: true, note: 'two\nlines' },
      { id: 'c3', name: 'Comma, Town', population: '007', capital: 'TRUE', note: -3.5 },
    ]);
  });

  it('names the position of a malformed record', async () => {
    await expect(all('{"id":"a"}\n{"id":\n', 'ndjson')).rejects.toThrow(/^line 2: /);
    await expect(all('{"id":"a"}\n[1]\n', 'ndjson')).rejects.toThrow(
      'line 2: a record must be a JSON object',
    );
    await expect(all('[{"id":"a"},{"id":}]', 'json')).rejects.toThrow(/^element 2: /);
    await expect(all('[{"id":"a"}', 'json')).rejects.toThrow('not closed');
    await expect(all('{"id":"a"}', 'json')).rejects.toThrow('array of objects');
    await expect(all('id,name\na,b,c\n', 'csv')).rejects.toThrow('line 2: 3 fields where the header has 2');
    await expect(all('id,name\na,"b\n', 'csv')).rejects.toThrow('line 2: a quoted field is not closed');
  });
});
