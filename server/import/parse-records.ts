/** Formats a bulk import reads: one JSON object per line, a JSON array of objects, or CSV with a header row. */
export type ImportFormat = 'ndjson' | 'json' | 'csv';

/** The format a file name or content type suggests (`.csv`/`text/csv` → csv, `.json` → json, else ndjson). */
export function guessFormat(nameOrType: string): ImportFormat {
  if (/csv/i.test(nameOrType)) return 'csv';
  if (/(\.json$|application\/json)/i.test(nameOrType)) return 'json';
  return 'ndjson';
}

/**
 * Parses a stream of text chunks into records, one at a time, without holding the whole input:
 * memory stays bounded by the longest record. A malformed record throws an error naming its
 * position (line for NDJSON and CSV, element for a JSON array).
 */
export async function* parseRecords(
  chunks: AsyncIterable<string | Uint8Array> | ReadableStream<Uint8Array>,
  format: ImportFormat,
): AsyncGenerator<Record<string, unknown>> {
  const text = decodeText(chunks instanceof ReadableStream ? streamChunks(chunks) : chunks);
  if (format === 'ndjson') yield* parseNdjson(text);
  else if (format === 'json') yield* parseJsonArray(text);
  else yield* parseCsv(text);
}

async function* streamChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    // Stopped early (a bad record): let go of the rest of the body.
    await reader.cancel().catch(() => {});
  }
}

async function* decodeText(chunks: AsyncIterable<string | Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (text !== '') yield text;
  }
  const rest = decoder.decode();
  if (rest !== '') yield rest;
}

function asObject(value: unknown, where: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${where}: a record must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

async function* parseNdjson(text: AsyncIterable<string>): AsyncGenerator<Record<string, unknown>> {
  let buffer = '';
  let line = 0;
  const parse = (raw: string) => {
    line += 1;
    const trimmed = raw.trim();
    if (trimmed === '') return undefined;
    try {
      return asObject(JSON.parse(trimmed), `line ${line}`);
    } catch (error) {
      throw new Error(`line ${line}: ${(error as Error).message}`);
    }
  };
  for await (const chunk of text) {
    buffer += chunk;
    let start = 0;
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n', start)) {
      const record = parse(buffer.slice(start, nl));
      start = nl + 1;
      if (record !== undefined) yield record;
    }
    buffer = buffer.slice(start);
  }
  const last = parse(buffer);
  if (last !== undefined) yield last;
}

/**
 * A top-level JSON array, element by element: a scanner tracks strings and nesting to find where each
 * element ends, and hands that slice to `JSON.parse`.
 */
async function* parseJsonArray(text: AsyncIterable<string>): AsyncGenerator<Record<string, unknown>> {
  let buffer = '';
  let pos = 0;
  let started = false;
  let ended = false;
  let element = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let elementStart = -1;
  for await (const chunk of text) {
    buffer += chunk;
    for (; pos < buffer.length; pos++) {
      const c = buffer[pos]!;
      if (!started) {
        if (c === '[') started = true;
        else if (!/\s/.test(c)) throw new Error('A JSON import must be an array of objects');
        continue;
      }
      if (ended) {
        if (!/\s/.test(c)) throw new Error('Unexpected text after the JSON array');
        continue;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') {
        inString = true;
        if (elementStart < 0) elementStart = pos;
      } else if (c === '{' || c === '[') {
        if (elementStart < 0) elementStart = pos;
        depth += 1;
      } else if (c === '}' || c === ']') {
        if (depth === 0 && c === ']') {
          if (elementStart >= 0) {
            yield parseElement(buffer.slice(elementStart, pos), ++element);
            elementStart = -1;
          }
          ended = true;
        } else depth -= 1;
      } else if (c === ',' && depth === 0) {
        if (elementStart < 0) throw new Error(`element ${element + 1}: empty element`);
        yield parseElement(buffer.slice(elementStart, pos), ++element);
        elementStart = -1;
      } else if (elementStart < 0 && !/\s/.test(c)) {
        elementStart = pos;
      }
    }
    // Keep only the unfinished element.
    const keep = elementStart >= 0 ? elementStart : pos;
    buffer = buffer.slice(keep);
    pos -= keep;
    if (elementStart >= 0) elementStart = 0;
  }
  if (!ended) throw new Error('The JSON array is not closed (truncated input?)');
}

function parseElement(raw: string, element: number): Record<string, unknown> {
  try {
    return asObject(JSON.parse(raw), `element ${element}`);
  } catch (error) {
    const message = (error as Error).message;
    throw new Error(message.startsWith('element ') ? message : `element ${element}: ${message}`);
  }
}

/**
 * CSV (RFC 4180: quoted fields, `""` escapes, CRLF or LF, line breaks inside quotes) with a header
 * row naming the fields. Cells become numbers when they are plain decimal numbers that read back the
 * same (`42`, `-3.5`; not `007`), booleans for `true`/`false`, `null` when empty, else strings.
 */
async function* parseCsv(text: AsyncIterable<string>): AsyncGenerator<Record<string, unknown>> {
  let header: string[] | undefined;
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let afterQuote = false;
  let line = 1;
  let rowLine = 1;
  let pendingCr = false;
  const endRow = (): Record<string, unknown> | undefined => {
    row.push(cell);
    cell = '';
    const cells = row;
    row = [];
    const at = rowLine;
    rowLine = line;
    if (cells.length === 1 && cells[0] === '') return undefined;
    if (header === undefined) {
      header = cells.map((h) => h.trim());
      if (header.some((h) => h === '') || new Set(header).size !== header.length) {
        throw new Error('line 1: the CSV header needs distinct, non-empty field names');
      }
      return undefined;
    }
    if (cells.length !== header.length) {
      throw new Error(`line ${at}: ${cells.length} fields where the header has ${header.length}`);
    }
    return Object.fromEntries(header.map((name, i) => [name, csvValue(cells[i]!)]));
  };
  for await (const chunk of text) {
    for (const c of chunk) {
      if (pendingCr) {
        pendingCr = false;
        if (c === '\n') continue;
      }
      if (quoted) {
        if (c === '"') {
          quoted = false;
          afterQuote = true;
        } else {
          if (c === '\n') line += 1;
          cell += c;
        }
        continue;
      }
      if (c === '"') {
        if (afterQuote) cell += '"';
        else if (cell !== '') throw new Error(`line ${line}: a quote inside an unquoted field`);
        quoted = true;
        afterQuote = false;
        continue;
      }
      afterQuote = false;
      if (c === ',') {
        row.push(cell);
        cell = '';
      } else if (c === '\n' || c === '\r') {
        pendingCr = c === '\r';
        line += 1;
        const record = endRow();
        if (record !== undefined) yield record;
      } else {
        cell += c;
      }
    }
  }
  if (quoted) throw new Error(`line ${rowLine}: a quoted field is not closed`);
  const record = endRow();
  if (record !== undefined) yield record;
}

function csvValue(raw: string): unknown {
  if (raw === '') return null;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (/^-?(0|[1-9]\d*)(\.\d+)?$/.test(raw)) {
    const n = Number(raw);
    if (Number.isFinite(n) && String(n) === raw) return n;
  }
  return raw;
}
