/**
 * In-flight requests and the draining state of one server instance, for readiness and graceful
 * shutdown. A request counts from its start until its answer is ready (an SSE stream only until its
 * headers: streams are closed after the drain, not waited for).
 */
export class Lifecycle {
  #inFlight = 0;
  #draining = false;
  readonly #idle = new Set<() => void>();

  /** True once shutdown began: readiness answers 503 and responses ask clients to close their connection. */
  get draining(): boolean {
    return this.#draining;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  startDraining(): void {
    this.#draining = true;
  }

  /** Counts a request until the returned function is called (once). */
  enter(): () => void {
    this.#inFlight += 1;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.#inFlight -= 1;
      if (this.#inFlight === 0) for (const resolve of [...this.#idle]) resolve();
    };
  }

  /** Resolves `true` once no request is in flight, or `false` after `timeoutMs`. */
  whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.#inFlight === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const done = (idle: boolean) => {
        clearTimeout(timer);
        this.#idle.delete(onIdle);
        resolve(idle);
      };
      const onIdle = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.#idle.add(onIdle);
    });
  }
}
