// The load generator (`npm run load`, see docs/server-load.md). Needs PostgreSQL:
//   node scripts/with-postgres.mjs npm run load -- --instances 1,3 --clients 100,1000 --duration 30
// Each configuration gets fresh server processes on a fresh schema; traffic only to 127.0.0.1.

import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { type LoadReport, runLoad } from './load-generator.js';
import { startInstances } from './server-processes.js';

const { values } = parseArgs({
  options: {
    instances: { type: 'string', default: '1,3' },
    clients: { type: 'string', default: '100' },
    duration: { type: 'string', default: '20' },
    'think-ms': { type: 'string', default: '1000' },
    mutations: { type: 'string', default: '5' },
    'pool-size': { type: 'string', default: '10' },
    json: { type: 'string' },
    smoke: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log(`npm run load -- [--instances 1,3] [--clients 100,1000] [--duration S] [--think-ms MS]
                  [--mutations N] [--pool-size N] [--json results.json] [--smoke]
Needs DATABASE_URL (run under: node scripts/with-postgres.mjs npm run load -- …).
--think-ms 0 pushes again as soon as a cycle ends (saturation: the throughput limit).
--smoke: 1 instance, 10 clients, 3 s.`);
  process.exit(0);
}

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error('npm run load needs DATABASE_URL: node scripts/with-postgres.mjs npm run load -- …');
  process.exit(2);
}

const list = (raw: string) => raw.split(',').map((v) => Number(v));
const instanceCounts = values.smoke ? [1] : list(values.instances);
const clientCounts = values.smoke ? [10] : list(values.clients);
const durationMs = (values.smoke ? 3 : Number(values.duration)) * 1000;
const thinkMs = Number(values['think-ms']);

const machine = () => ({ cpus: cpus().length, loadavg: loadavg().map((l) => Math.round(l * 100) / 100) });
const results: (LoadReport & {
  machineBefore: ReturnType<typeof machine>;
  machineAfter: ReturnType<typeof machine>;
})[] = [];
for (const clients of clientCounts) {
  for (const instances of instanceCounts) {
    const before = machine();
    console.log(
      `\n== ${instances} instance(s), ${clients} clients, think ${thinkMs} ms (load ${before.loadavg.join(' ')})`,
    );
    const servers = await startInstances(databaseUrl, instances, { poolSize: Number(values['pool-size']) });
    try {
      const report = await runLoad({
        urls: servers.urls,
        adminToken: servers.adminToken,
        clients,
        durationMs,
        thinkMs,
        mutationsPerPush: Number(values.mutations),
        log: (line) => console.log(`   ${line}`),
      });
      const after = machine();
      results.push({ ...report, machineBefore: before, machineAfter: after });
      const l = report.latencyMs;
      console.log(
        `   pushes ${report.pushesPerSecond}/s (${report.mutationsPerSecond} mutations/s), pulls ${report.pullsPerSecond}/s, ` +
          `push p50 ${l.push.p50} p95 ${l.push.p95} p99 ${l.push.p99} ms, pull p50 ${l.pull.p50} p95 ${l.pull.p95} p99 ${l.pull.p99} ms, ` +
          `poke p50 ${l.poke.p50} p95 ${l.poke.p95} p99 ${l.poke.p99} ms, pokes ${report.pokes}/${report.pushes}, errors ${JSON.stringify(report.errors)}, not applied ${report.notApplied} ` +
          `(load after ${after.loadavg.join(' ')})`,
      );
    } finally {
      await servers.stop();
    }
  }
}

console.log(
  '\n| instances | clients | think ms | pushes/s | mutations/s | pulls/s | push p50/p95/p99 ms | pull p50/p95/p99 ms | poke p50/p95/p99 ms | pokes/pushes | errors | load avg (1 min) before → after |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  const l = r.latencyMs;
  console.log(
    `| ${r.instances} | ${r.clients} | ${r.thinkMs} | ${r.pushesPerSecond} | ${r.mutationsPerSecond} | ${r.pullsPerSecond} | ${l.push.p50}/${l.push.p95}/${l.push.p99} | ${l.pull.p50}/${l.pull.p95}/${l.pull.p99} | ${l.poke.p50}/${l.poke.p95}/${l.poke.p99} | ${r.pokes}/${r.pushes} | ${Object.values(r.errors).reduce((a, b) => a + b, 0)} | ${r.machineBefore.loadavg[0]} → ${r.machineAfter.loadavg[0]} |`,
  );
}
if (values.json) writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
const failed = results.some((r) => Object.keys(r.errors).length > 0 || r.pushes === 0);
process.exit(failed && values.smoke ? 1 : 0);
