import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * A child process started in its own process group, so that killing the group also kills whatever
 * it spawned (WebKitWebDriver → MiniBrowser → WebKitWebProcess / WebKitNetworkProcess).
 */
export interface GroupProcess {
  readonly child: ChildProcess;
  /** Resolves once the process has exited (or immediately if it already has). */
  readonly exited: Promise<void>;
  /** SIGTERM to the group, SIGKILL after `graceMs` (default 2000) if it is still there. */
  stop(graceMs?: number): Promise<void>;
}

/** Every live group this process started: killed synchronously on exit, whatever the exit path. */
const liveGroups = new Set<number>();
/** Synchronous clean-ups (temporary directories) to run on exit, registered with {@link atExit}. */
const exitCleanups = new Set<() => void>();
let exitHookInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Kills every group still alive, synchronously (usable from an `exit` handler). */
export function killAllGroups(): void {
  for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
  liveGroups.clear();
}

function runExitCleanups(): void {
  killAllGroups();
  for (const cleanup of exitCleanups) {
    try {
      cleanup();
    } catch {
      // Best effort: the process is ending.
    }
  }
  exitCleanups.clear();
}

/**
 * Makes every exit path (normal end, `process.exit`, SIGINT/SIGTERM/SIGHUP) kill the process groups
 * started here and run the registered clean-ups. Idempotent.
 */
export function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', runExitCleanups);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
    });
  }
}

/**
 * Registers a synchronous clean-up for exit (see {@link installExitHook}); returns a function that
 * unregisters it, for when the resource was cleaned up normally.
 */
export function atExit(cleanup: () => void): () => void {
  installExitHook();
  exitCleanups.add(cleanup);
  return () => exitCleanups.delete(cleanup);
}

/** Spawns `command` as the leader of a new process group, tracked for cleanup on exit. */
export function spawnGroup(command: string, args: string[], options: SpawnOptions = {}): GroupProcess {
  installExitHook();
  const child = spawn(command, args, { ...options, detached: true });
  const pid = child.pid;
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  if (pid !== undefined) liveGroups.add(pid);
  return {
    child,
    exited,
    async stop(graceMs = 2000) {
      if (pid === undefined) return;
      killGroup(pid, 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), graceMs);
      });
      const late = await Promise.race([exited.then(() => false), timedOut]);
      clearTimeout(timer);
      // The leader may be gone while its children (orphaned helper processes) linger: always
      // finish with a SIGKILL to the whole group.
      killGroup(pid, 'SIGKILL');
      if (late) await exited;
      liveGroups.delete(pid);
    },
  };
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not get a free port'));
      });
    });
  });
}
