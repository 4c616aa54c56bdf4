// The in-page half of the driver protocol, shared by the e2e and benchmark pages: call an exported
// function of a page module and answer with a JSON envelope, so Playwright (structured clone) and
// WebDriver (JSON) hand back exactly the same thing, errors included with their name and code.
import type { PageEnvelope, SerializedError } from '../harness/driver.js';

/** A loaded page module: its exported functions are what drivers may call. */
export type PageModule = Record<string, unknown>;

/** An error as the Node side sees it: name, message (with its cause), stable `code`, stack. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const cause = error.cause instanceof Error ? ` (cause: ${error.cause.name}: ${error.cause.message})` : '';
    return {
      name: error.name,
      message: error.message + cause,
      ...(typeof code === 'string' ? { code } : {}),
      ...(error.stack === undefined ? {} : { stack: error.stack }),
    };
  }
  return { name: 'NonError', message: String(error) };
}

/**
 * Calls `module[fnName](...args)` and answers with its envelope as JSON. A value that cannot be
 * serialised becomes an error envelope instead of a broken answer.
 */
export async function callPageFunction(
  module: PageModule,
  fnName: string,
  args: readonly unknown[],
): Promise<{ envelope: PageEnvelope; json: string }> {
  let envelope: PageEnvelope;
  try {
    const fn = module[fnName];
    if (typeof fn !== 'function') throw new TypeError(`the page module exports no function "${fnName}"`);
    const value: unknown = await fn(...args);
    envelope = value === undefined ? { ok: true } : { ok: true, value };
  } catch (error) {
    envelope = { ok: false, error: serializeError(error) };
  }
  try {
    return { envelope, json: JSON.stringify(envelope) };
  } catch (error) {
    envelope = { ok: false, error: serializeError(error) };
    return { envelope, json: JSON.stringify(envelope) };
  }
}
