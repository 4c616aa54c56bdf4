import { execFileSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem } from 'node:os';

/** The machine and software a run measured on. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  /** Debian package versions of the browsers. */
  packages: Record<string, string>;
  /** `navigator.userAgent` per engine id, filled in as sessions open. */
  userAgents: Record<string, string>;
  /** 1-minute load average when the run started: other work on the machine skews figures. */
  loadAverage: number;
}

function packageVersion(name: string): string {
  try {
    return execFileSync('dpkg-query', ['-W', `-f=\${Version}`, name], { encoding: 'utf8' }).trim();
  } catch {
    return 'not installed';
  }
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
    userAgents: {},
    loadAverage: loadavg()[0] ?? 0,
  };
}
