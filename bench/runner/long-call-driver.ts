import { type Driver, unwrapEnvelope } from '../../e2e/harness/driver.js';

/** How long one `$await` command may wait in the page: well under WebDriver's 30 s request limit. */
const waitMs = 10_000;

/**
 * A {@link Driver} whose `run` survives calls longer than one WebDriver command may last: it starts
 * the page function (`$start`) and then waits for it with `$await` commands of at most 10 s each.
 * Every other operation goes to the wrapped driver.
 */
export class LongCallDriver implements Driver {
  constructor(private readonly inner: Driver) {}

  openPage(url: string): Promise<void> {
    return this.inner.openPage(url);
  }

  async run(fnName: string, args: readonly unknown[]): Promise<unknown> {
    if (fnName.startsWith('$')) return this.inner.run(fnName, args);
    const id = await this.inner.run('$start', [fnName, args]);
    for (;;) {
      const answer = (await this.inner.run('$await', [id, waitMs])) as
        | { state: 'pending' }
        | { state: 'done'; envelope: string };
      if (answer.state === 'done') return unwrapEnvelope(fnName, answer.envelope);
    }
  }

  reload(): Promise<void> {
    return this.inner.reload();
  }

  async newTab(): Promise<Driver> {
    return new LongCallDriver(await this.inner.newTab());
  }

  screenshot(path: string): Promise<void> {
    return this.inner.screenshot(path);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
