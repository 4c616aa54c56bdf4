// `npm run demo`: the reference server (PGlite in .data/demo, seeded when empty), a token for user
// "demo" and the demo page on Vite's dev server. See demo/README.md.
//   npm run demo -- [--port 5173] [--server-port 8787] [--data-dir .data/demo] [--rows N | --no-seed] [--verbose]
//   npm run demo -- --check   start everything, fetch the page and the capabilities, exit 0
import { parseArgs } from 'node:util';
import { tsImport } from 'tsx/esm/api';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'server-port': { type: 'string' },
    'data-dir': { type: 'string' },
    rows: { type: 'string' },
    'no-seed': { type: 'boolean' },
    verbose: { type: 'boolean' },
    check: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log(`Usage: npm run demo -- [options]
  --port N          page port (default 5173; 0 = any free port)
  --server-port N   reference server port (default 8787; 0 = any free port)
  --data-dir DIR    PGlite directory (default .data/demo)
  --rows N          service types to seed when the database is empty (default 100000)
  --no-seed         do not seed
  --verbose         print the server's request log
  --check           start, fetch the page and /v1/capabilities through it, stop, exit 0`);
  process.exit(0);
}

const int = (name, raw) => {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) {
    console.error(`--${name} must be a non-negative integer`);
    process.exit(2);
  }
  return n;
};

const { startDemo } = await tsImport('../demo/start-demo.ts', import.meta.url);
const options = {
  port: int('port', values.port) ?? (values.check ? 0 : 5173),
  serverPort: int('server-port', values['server-port']) ?? (values.check ? 0 : 8787),
  seed: !values['no-seed'],
  verbose: values.verbose === true,
};
if (values['data-dir'] !== undefined) options.dataDir = values['data-dir'];
const rows = int('rows', values.rows);
if (rows !== undefined) options.rows = rows;

let demo;
try {
  demo = await startDemo(options);
} catch (error) {
  console.error(`demo failed to start: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}

if (values.check) {
  let code = 0;
  try {
    const page = await fetch(demo.url);
    const html = await page.text();
    if (!page.ok || !html.includes('data-testid="app"')) throw new Error(`page answered ${page.status}`);
    const caps = await fetch(new URL('/v1/capabilities', demo.url));
    const body = await caps.json();
    if (!caps.ok || body.protocolVersion !== 1) throw new Error(`capabilities answered ${caps.status}`);
    const config = await fetch(new URL('/demo-config.json', demo.url)).then((r) => r.json());
    if (typeof config.token !== 'string') throw new Error('no token in /demo-config.json');
    const count = await demo.server.admin.countRecords('service_types');
    console.log(
      `check ok: page ${demo.url}, capabilities (transports ${body.transports.join(', ')}), ${count} service types`,
    );
  } catch (error) {
    console.error(`check failed: ${error instanceof Error ? error.message : error}`);
    code = 1;
  }
  await demo.close();
  process.exit(code);
}

console.log(`\n  idb-sync demo: ${demo.url}\n  (Ctrl-C to stop)\n`);
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  console.log('stopping the demo…');
  demo.close().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
