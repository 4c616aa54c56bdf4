import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ServerOptions } from '../config.js';
import { createInternalSyncServer } from '../create-sync-server.js';
import type { ImportResult } from '../import/import-records.js';
import { guessFormat, type ImportFormat, parseRecords } from '../import/parse-records.js';
import { storageFor } from '../start-server.js';

/** `server import --collection NAME [options] FILE` (FILE `-` reads standard input). */
export interface ImportCommand {
  file: string;
  collection: string;
  owner?: string | undefined;
  key?: string | undefined;
  format?: ImportFormat | undefined;
  batchSize?: number | undefined;
  /** Import through a running server's `/admin/import` endpoint instead of writing to the database. */
  url?: string | undefined;
  adminToken?: string | undefined;
  /** The server's options (collections, database), from the config file and flags. */
  options: ServerOptions;
  log: (line: string) => void;
}

/**
 * Imports a file into a collection, printing progress. Writes to the database directly (PostgreSQL
 * or a PGlite directory no server holds), or with `url` streams the file to a running server's
 * `/admin/import` endpoint (the way to reach a PGlite server, and servers you only reach over HTTP).
 */
export async function runImport(command: ImportCommand): Promise<ImportResult> {
  const format = command.format ?? guessFormat(command.file);
  const input = () => (command.file === '-' ? process.stdin : createReadStream(command.file));
  if (command.url !== undefined) return importOverHttp(command, format, input());
  if (!command.options.collections?.some((c) => c.name === command.collection)) {
    throw new Error(
      `collection ${command.collection} is not configured: add it to the config file (--config), e.g. ` +
        `{ "collections": [{ "name": "${command.collection}", "scope": "shared", "readOnly": true }] }`,
    );
  }
  const sync = await createInternalSyncServer({
    ...command.options,
    storage: storageFor(command.options),
    collections: command.options.collections ?? [],
    compactionIntervalMs: 0,
    logger: () => {},
  });
  try {
    const rate = (imported: number, ms: number) => Math.round((imported / Math.max(ms, 1)) * 1000);
    const result = await sync.admin.importRecords(command.collection, parseRecords(input(), format), {
      ...(command.owner === undefined ? {} : { owner: command.owner }),
      ...(command.key === undefined ? {} : { key: command.key }),
      ...(command.batchSize === undefined ? {} : { batchSize: command.batchSize }),
      onProgress: (p) =>
        command.log(
          `  ${p.imported.toLocaleString('en')} records (${rate(p.imported, p.ms).toLocaleString('en')}/s)`,
        ),
    });
    command.log(
      `imported ${result.imported.toLocaleString('en')} records into ${command.collection} in ` +
        `${(result.ms / 1000).toFixed(1)} s (${rate(result.imported, result.ms).toLocaleString('en')} records/s), ` +
        `revisions ${result.firstRev ?? '-'}…${result.lastRev ?? '-'}`,
    );
    return result;
  } finally {
    await sync.close();
  }
}

async function importOverHttp(
  command: ImportCommand,
  format: ImportFormat,
  input: Readable,
): Promise<ImportResult> {
  if (command.adminToken === undefined) throw new Error('--url needs --admin-token (or ADMIN_TOKEN)');
  const total = command.file === '-' ? undefined : (await stat(command.file)).size;
  let sent = 0;
  let shown = 0;
  const started = performance.now();
  input.on('data', (chunk: Buffer) => {
    sent += chunk.length;
    // About every 8 MiB: what went out (the server commits as it reads).
    if (sent - shown >= 8 * 1024 * 1024) {
      shown = sent;
      const share = total === undefined ? '' : ` (${Math.round((sent / total) * 100)} %)`;
      command.log(`  sent ${(sent / 1024 / 1024).toFixed(0)} MiB${share}`);
    }
  });
  const query = new URLSearchParams({ format });
  if (command.owner !== undefined) query.set('owner', command.owner);
  if (command.key !== undefined) query.set('key', command.key);
  const response = await fetch(
    `${command.url!.replace(/\/$/, '')}/admin/import/${encodeURIComponent(command.collection)}?${query}`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${command.adminToken}`, 'content-type': 'application/octet-stream' },
      body: Readable.toWeb(input) as ReadableStream<Uint8Array>,
      duplex: 'half',
    } as RequestInit,
  );
  const body = (await response.json()) as ImportResult & { error?: { message: string; details?: unknown } };
  if (!response.ok) {
    throw new Error(
      `the server refused the import (${response.status}): ${body.error?.message ?? 'no details'}`,
    );
  }
  const seconds = (performance.now() - started) / 1000;
  command.log(
    `imported ${body.imported.toLocaleString('en')} records into ${command.collection} in ${seconds.toFixed(1)} s ` +
      `(${Math.round(body.imported / seconds).toLocaleString('en')} records/s) through ${command.url}`,
  );
  return body;
}
