/** A harness step did not finish within its bound. */
export class StepTimeoutError extends Error {
  override readonly name = 'StepTimeoutError';
  constructor(
    readonly step: string,
    readonly timeoutMs: number,
  ) {
    super(`${step} did not finish within ${timeoutMs} ms`);
  }
}

/**
 * Settles like `promise`, or rejects with a {@link StepTimeoutError} after `timeoutMs`. The timer is
 * always cleared, so a finished step leaves nothing pending that would keep Node alive.
 */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, step: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StepTimeoutError(step, timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
