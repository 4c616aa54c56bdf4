import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { type GroupProcess, spawnGroup } from './processes.js';
import { withTimeout } from './with-timeout.js';

/** A running Xvfb: its display number and, when asked for, the file its screen is mapped to. */
export interface Xvfb {
  /** The display number (`DISPLAY=:<display>`). */
  readonly display: string;
  /**
   * The screen's framebuffer as an XWD file (Xvfb's `-fbdir`), always current: what a screenshot
   * of a browser without automation reads (see xwd-to-png.ts). Undefined unless `framebuffer` was asked.
   */
  readonly framebufferFile: string | undefined;
  stop(): Promise<void>;
}

/** Reads the display number Xvfb writes to `-displayfd` once it accepts clients. */
function displayNumber(stream: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve(text.trim());
    });
    stream.once('end', () => reject(new Error('Xvfb exited before it reported a display')));
  });
}

/**
 * Starts Xvfb on a free display (1280×1024, 24 bits) in its own process group. `-noreset`: by
 * default Xvfb resets when its last client leaves, and the next browser then fails with "cannot
 * open display". With `framebuffer: true` the screen is also mapped to a file in a temporary directory.
 */
export async function startXvfb(options: { framebuffer?: boolean } = {}): Promise<Xvfb> {
  const fbdir = options.framebuffer ? mkdtempSync(join(tmpdir(), 'idb-sync-xvfb-')) : undefined;
  const args = ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp', '-noreset'];
  const xvfb: GroupProcess = spawnGroup('Xvfb', fbdir ? [...args, '-fbdir', fbdir] : args, {
    stdio: ['ignore', 'ignore', 'inherit', 'pipe'],
  });
  const stop = async () => {
    await xvfb.stop();
    if (fbdir) rmSync(fbdir, { recursive: true, force: true });
  };
  try {
    const display = await withTimeout(
      displayNumber(xvfb.child.stdio[3] as Readable),
      10_000,
      'starting Xvfb',
    );
    return { display, framebufferFile: fbdir && join(fbdir, 'Xvfb_screen0'), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
