import type { PageRuntime } from '../harness/driver.js';
import { serializeError } from './call-page-function.js';

/**
 * The page side of the control channel (e2e/harness/control-hub.ts), for browsers driven without an
 * automation interface (WebKitGTK on disk): when the URL carries `?control=<tab>`, the page
 * long-polls its origin for the next command, runs it through the page runtime and posts the answer
 * back. `$reload` and `$navigate` are answered first, then done. Nothing else runs while a command
 * runs, so the channel never competes with what the command measures. `status` is the runtime's boot
 * status (`ready` or why not), reported with every poll so the driver learns about each new load.
 */
export async function followControlChannel(
  status: string,
  runtime: () => PageRuntime | undefined,
): Promise<void> {
  const tab = new URLSearchParams(location.search).get('control');
  if (tab === null) return;
  const load = crypto.randomUUID();
  const query = (extra: string) => `tab=${encodeURIComponent(tab)}&${extra}`;
  for (;;) {
    const poll = await fetch(
      `/page-control/poll?${query(`load=${load}&status=${encodeURIComponent(status)}`)}`,
      { cache: 'no-store' },
    );
    if (poll.status !== 200) continue;
    const command = (await poll.json()) as { id: number; fn: string; args: unknown[] };
    const answer = (json: string) =>
      fetch(`/page-control/result?${query(`id=${command.id}`)}`, { method: 'POST', body: json });
    if (command.fn === '$reload' || command.fn === '$navigate') {
      await answer(JSON.stringify({ ok: true }));
      if (command.fn === '$reload') location.reload();
      else location.href = String(command.args[0]);
      return;
    }
    const current = runtime();
    await answer(
      current
        ? await current.run(command.fn, command.args)
        : JSON.stringify({
            ok: false,
            error: { name: 'Error', message: `the page did not load: ${status}` },
          }),
    );
  }
}

/**
 * Reports how the page runtime's `booting` ended to whoever drives the page: `ready`, or `failed: why`,
 * to the automation (`window.__idbSyncE2EReady`) and, when the URL asks for it, over the control channel.
 */
export function reportBoot(booting: Promise<void>): void {
  void booting
    .then(
      () => 'ready',
      (error: unknown) => `failed: ${serializeError(error).message}`,
    )
    .then((status) => {
      window.__idbSyncE2EBoot?.(status);
      return followControlChannel(status, () => window.__idbSyncE2E);
    });
}
