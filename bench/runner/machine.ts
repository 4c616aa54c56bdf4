import { execFileSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem } from 'node:os';

/** What a bench page reports about its engine. */
export interface PageEnvironment {
  userAgent: string;
  crossOriginIsolated: boolean;
  /** Smallest step of `performance.now()` observed, in milliseconds. */
  timerResolutionMs: number;
}

/** The machine and software a run measured on. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  /** Debian package versions of the browsers. */
  packages: Record<string, string>;
  /** What each engine's page reported, by engine id, filled in as sessions open. */
  pages: Record<string, PageEnvironment>;
  /** 1-minute load average when the run started: other work on the machine skews figures. */
  loadAverage: number;
  /** 1-minute load averages read at the start of every workload, and at the end of the run. */
  loadSamples: number[];
}

function packageVersion(name: string): string {
  try {
    return execFileSync('dpkg-query', ['-W', `-f=\${Version}`, name], { encoding: 'utf8' }).trim();
  } catch {
    return 'not installed';
  }
}

/** The current 1-minute load average. */
export function currentLoad(): number {
  return loadavg()[0] ?? 0;
}

export async function describeMachine(): Promise<MachineInfo> {
  const all = cpus();
  return {
    cpu: all[0]?.model.trim() ?? 'unknown',
    cores: all.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    packages: {
      chromium: packageVersion('chromium'),
      'libwebkit2gtk-4.1-0': packageVersion('libwebkit2gtk-4.1-0'),
      'webkit2gtk-driver': packageVersion('webkit2gtk-driver'),
    },
    pages: {},
    loadAverage: loadavg()[0] ?? 0,
    loadSamples: [],
  };
}
