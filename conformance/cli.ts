#!/usr/bin/env node
// `idb-sync-conformance`: runs the conformance kit against a server and prints the report.
import { parseArgs } from 'node:util';
import { formatReport, formatResultLine } from './report.js';
import { listChecks, runConformance } from './run-conformance.js';

const HELP = `Usage: idb-sync-conformance --url <server> [options]

Checks a server against the idb-sync sync protocol (docs/protocol.md) over HTTP, SSE and WebSocket.
Exit code 0 when no check failed, 1 when one did, 2 on bad arguments.

  --url URL              base URL of the server (endpoints under /v1/)            (required)
  --token TOKEN          a user's bearer token; twice for the checks between users
                         (or IDB_SYNC_CONFORMANCE_TOKENS=t1,t2 to keep tokens out of shell history)
  --user-id ID           the server's id of the user of the --token at the same position (repeatable;
                         or IDB_SYNC_CONFORMANCE_USER_IDS=a,b): with --admin-token, server-side edits
                         of per-user records then work for users of your own authenticate hook
  --admin-token TOKEN    the reference server's /admin token (or IDB_SYNC_CONFORMANCE_ADMIN_TOKEN):
                         creates fresh users, server-side edits, tombstone purges
  --admin-url URL        where /admin lives, if not at --url
  --peer URL             another instance of the same deployment (repeatable): checkpoints,
                         retries and pokes must work across instances
  --schema-version N     client schema version to sync as (default: the server's minWritable)
  --collection NAME      writable collection to use (default: the first per-user writable one)
  --scale N              size of the load checks (default 1: a few seconds); raise for a heavier run
  --only ID,...          run only these checks or groups (e.g. paging,exactly-once.retry)
  --skip ID,...          leave out these checks or groups
  --max-wait-ms N        longest wait for pokes and heartbeats (default 5000)
  --timeout-ms N         timeout of one request (default 15000)
  --json                 print the report as JSON instead of text
  --list                 list the checks and exit
  --help                 this text
`;

function list(value: string | undefined): string[] | undefined {
  return value === undefined
    ? undefined
    : value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
}

function int(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  return n;
}

const STRING_OPTIONS = new Set([
  '--url',
  '--token',
  '--user-id',
  '--admin-token',
  '--admin-url',
  '--peer',
  '--schema-version',
  '--collection',
  '--scale',
  '--only',
  '--skip',
  '--max-wait-ms',
  '--timeout-ms',
]);

/**
 * `--token -abc` → `--token=-abc`: tokens (base64url) may start with "-", which parseArgs would
 * otherwise take for an option.
 */
function joinValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = argv[i + 1];
    if (STRING_OPTIONS.has(arg) && value !== undefined) {
      out.push(`${arg}=${value}`);
      i += 1;
    } else {
      out.push(arg);
    }
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parse>;
  const parse = (a: string[]) =>
    parseArgs({
      args: a,
      options: {
        url: { type: 'string' },
        token: { type: 'string', multiple: true },
        'user-id': { type: 'string', multiple: true },
        'admin-token': { type: 'string' },
        'admin-url': { type: 'string' },
        peer: { type: 'string', multiple: true },
        'schema-version': { type: 'string' },
        collection: { type: 'string' },
        scale: { type: 'string' },
        only: { type: 'string' },
        skip: { type: 'string' },
        'max-wait-ms': { type: 'string' },
        'timeout-ms': { type: 'string' },
        json: { type: 'boolean' },
        list: { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
    });
  try {
    args = parse(joinValues(argv));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  const v = args.values;
  if (v.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (v.list) {
    for (const c of listChecks()) process.stdout.write(`${c.id.padEnd(42)} ${c.title}\n`);
    return 0;
  }
  if (v.url === undefined) {
    process.stderr.write(`--url is required\n\n${HELP}`);
    return 2;
  }
  const tokens = [...(v.token ?? []), ...(list(process.env.IDB_SYNC_CONFORMANCE_TOKENS) ?? [])];
  const userIds = [...(v['user-id'] ?? []), ...(list(process.env.IDB_SYNC_CONFORMANCE_USER_IDS) ?? [])];
  if (userIds.length > tokens.length) {
    process.stderr.write(`--user-id given ${userIds.length} times for ${tokens.length} token(s)\n`);
    return 2;
  }
  const adminToken = v['admin-token'] ?? process.env.IDB_SYNC_CONFORMANCE_ADMIN_TOKEN;
  let numbers: { schemaVersion?: number; scale?: number; maxWaitMs?: number; requestTimeoutMs?: number };
  try {
    numbers = {
      ...(v['schema-version'] === undefined
        ? {}
        : { schemaVersion: int('schema-version', v['schema-version'])! }),
      ...(v.scale === undefined ? {} : { scale: int('scale', v.scale)! }),
      ...(v['max-wait-ms'] === undefined ? {} : { maxWaitMs: int('max-wait-ms', v['max-wait-ms'])! }),
      ...(v['timeout-ms'] === undefined ? {} : { requestTimeoutMs: int('timeout-ms', v['timeout-ms'])! }),
    };
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  const only = list(v.only);
  const skip = list(v.skip);
  const report = await runConformance({
    url: v.url,
    users: tokens.map((token, i) => (userIds[i] === undefined ? token : { token, userId: userIds[i] })),
    ...(v.peer === undefined ? {} : { peers: v.peer }),
    ...(adminToken === undefined
      ? {}
      : { admin: { token: adminToken, ...(v['admin-url'] === undefined ? {} : { url: v['admin-url'] }) } }),
    ...(v.collection === undefined ? {} : { collection: v.collection }),
    ...(only === undefined ? {} : { only }),
    ...(skip === undefined ? {} : { skip }),
    ...numbers,
    ...(v.json ? {} : { onResult: (r) => process.stderr.write(`${formatResultLine(r)}\n`) }),
  });
  process.stdout.write(v.json ? `${JSON.stringify(report, null, 2)}\n` : `\n${formatReport(report)}\n`);
  return report.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    process.stderr.write(`idb-sync-conformance: ${error.message}\n`);
    process.exitCode = 2;
  },
);
