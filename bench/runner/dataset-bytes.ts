import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { PullResponse } from '../../src/protocol/messages.js';

/**
 * Bytes per record of the bench dataset as a full sync receives it, for the report's wire figures
 * to be read against (the `dataset` figures): the pull pages are fetched once here, in Node, asking
 * for no compression, and weighed. Keys are metric names, values bytes per record:
 * - `record-json`: each record's value as `JSON.stringify` writes it (the data itself);
 * - `page-json`: the pages' bodies, uncompressed (the data plus the protocol around it);
 * - `page-json-gzip-6`, `page-json-brotli-5`: those bodies compressed, page by page, at levels a
 *   server would use on the fly (what compression of pull pages can give);
 * - `change-envelope`: what each change adds around its value (`id`, `rev`, `op`, punctuation);
 * - `value-id-duplicate`: the value's own `"id":…,` when it repeats the change's id;
 * - `snapshot-op`: `"op":"put",` in snapshot pages, where every change is a put;
 * - `server-tokens`: the value's `tokens` array (search tokens the server stores; a client that
 *   indexes with its own `fromServer` tokens derives them again);
 * - `page-json-lean-gzip-6`: the pages gzipped without the value's duplicate id and the snapshot `op`.
 */
export async function measureDatasetBytes(
  serverUrl: string,
  token: string,
  windowSize: number,
): Promise<Record<string, number>> {
  const bytes = (text: string) => Buffer.byteLength(text);
  const sums = {
    'record-json': 0,
    'page-json': 0,
    'page-json-gzip-6': 0,
    'page-json-brotli-5': 0,
    'change-envelope': 0,
    'value-id-duplicate': 0,
    'snapshot-op': 0,
    'server-tokens': 0,
    'page-json-lean-gzip-6': 0,
  };
  let records = 0;
  let checkpoint: string | null = null;
  for (;;) {
    const response = await fetch(`${serverUrl}/v1/pull`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'accept-encoding': 'identity',
        authorization: `Bearer ${token}`,
        'x-schema-version': '1',
      },
      body: JSON.stringify({ collection: 'service_types', checkpoint, windowSize }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`pull answered ${response.status}: ${text.slice(0, 200)}`);
    const page = JSON.parse(text) as PullResponse;
    const body = Buffer.from(text);
    sums['page-json'] += body.length;
    sums['page-json-gzip-6'] += gzipSync(body, { level: 6 }).length;
    sums['page-json-brotli-5'] += brotliCompressSync(body, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
    }).length;
    const snapshot = page.mode === 'snapshot';
    const lean = page.changes.map((change) => {
      if (change.op !== 'put') return change;
      records += 1;
      const value = change.value as Record<string, unknown>;
      const valueJson = JSON.stringify(value);
      sums['record-json'] += bytes(valueJson);
      sums['change-envelope'] += bytes(JSON.stringify(change)) - bytes(valueJson);
      if (value.id === change.id) sums['value-id-duplicate'] += bytes(`"id":${JSON.stringify(change.id)},`);
      if (snapshot) sums['snapshot-op'] += bytes('"op":"put",');
      if (Array.isArray(value.tokens))
        sums['server-tokens'] += bytes(`"tokens":${JSON.stringify(value.tokens)},`);
      const { id: _id, ...rest } = value;
      const { op: _op, ...envelope } = change;
      return { ...(snapshot ? envelope : change), value: value.id === change.id ? rest : value };
    });
    sums['page-json-lean-gzip-6'] += gzipSync(JSON.stringify({ ...page, changes: lean }), {
      level: 6,
    }).length;
    checkpoint = page.checkpoint;
    if (!page.moreAvailable) break;
  }
  if (records === 0) throw new Error('the dataset has no records');
  return Object.fromEntries(Object.entries(sums).map(([metric, sum]) => [metric, sum / records]));
}
