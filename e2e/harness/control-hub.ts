import type { IncomingMessage, ServerResponse } from 'node:http';

/** A command for a page: a page function to run, or `$reload` / `$navigate`. */
interface Command {
  readonly id: number;
  readonly fn: string;
  readonly args: readonly unknown[];
}

interface TabState {
  queue: Command[];
  /** A poll waiting for a command. */
  waiting: ServerResponse | undefined;
  waitingTimer: NodeJS.Timeout | undefined;
  /** Id of the page load that polled last, and its boot status. */
  load: string | undefined;
  status: string | undefined;
  loadWaiters: { after: string | undefined; resolve: (status: string) => void }[];
  pending: Map<number, (envelope: string) => void>;
}

/** How long a poll is held open when there is nothing to do. */
const pollHoldMs = 15_000;

/**
 * Drives pages of a browser that has no automation interface (WebKitGTK outside automation mode,
 * where IndexedDB lives on disk): the page long-polls `GET /page-control/poll` for commands and
 * posts each answer to `POST /page-control/result` (the page side: e2e/page/control-loop.ts). Served
 * by the origin of the pages: the e2e static server and the bench origin.
 */
export class ControlHub {
  readonly #tabs = new Map<string, TabState>();
  #nextId = 0;

  #tab(tab: string): TabState {
    let state = this.#tabs.get(tab);
    if (!state) {
      state = {
        queue: [],
        waiting: undefined,
        waitingTimer: undefined,
        load: undefined,
        status: undefined,
        loadWaiters: [],
        pending: new Map(),
      };
      this.#tabs.set(tab, state);
    }
    return state;
  }

  /** Handles a control request; returns false when the request is not one. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    if (!url.pathname.startsWith('/page-control/')) return false;
    const tab = url.searchParams.get('tab') ?? '';
    const state = this.#tab(tab);
    if (url.pathname === '/page-control/poll') {
      const load = url.searchParams.get('load') ?? '';
      if (state.load !== load) {
        state.load = load;
        state.status = url.searchParams.get('status') ?? '';
        for (const waiter of state.loadWaiters.filter((w) => w.after !== load)) waiter.resolve(state.status);
        state.loadWaiters = state.loadWaiters.filter((w) => w.after === load);
      }
      this.#release(state);
      state.waiting = res;
      state.waitingTimer = setTimeout(() => this.#release(state), pollHoldMs);
      this.#dispatch(state);
      return true;
    }
    if (url.pathname === '/page-control/result' && req.method === 'POST') {
      const id = Number(url.searchParams.get('id'));
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        body += chunk;
      });
      req.on('end', () => {
        res.writeHead(204).end();
        state.pending.get(id)?.(body);
        state.pending.delete(id);
      });
      return true;
    }
    res.writeHead(404).end();
    return true;
  }

  /** Answers a held poll with "nothing to do". */
  #release(state: TabState): void {
    clearTimeout(state.waitingTimer);
    state.waitingTimer = undefined;
    state.waiting?.writeHead(204, { 'cache-control': 'no-store' }).end();
    state.waiting = undefined;
  }

  #dispatch(state: TabState): void {
    const command = state.queue[0];
    const res = state.waiting;
    if (!command || !res) return;
    state.queue.shift();
    clearTimeout(state.waitingTimer);
    state.waiting = undefined;
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(command));
  }

  /** Sends a command to the tab's page; resolves with the page's answer envelope (JSON text). */
  send(tab: string, fn: string, args: readonly unknown[]): Promise<string> {
    const state = this.#tab(tab);
    this.#nextId += 1;
    const command = { id: this.#nextId, fn, args };
    const answer = new Promise<string>((resolve) => state.pending.set(command.id, resolve));
    state.queue.push(command);
    this.#dispatch(state);
    return answer;
  }

  /** The id of the tab's current page load (undefined before its first poll). */
  currentLoad(tab: string): string | undefined {
    return this.#tab(tab).load;
  }

  /** Resolves with the boot status of the first page load of `tab` other than `after`. */
  nextLoad(tab: string, after: string | undefined): Promise<string> {
    const state = this.#tab(tab);
    if (state.load !== undefined && state.load !== after) return Promise.resolve(state.status ?? '');
    return new Promise((resolve) => state.loadWaiters.push({ after, resolve }));
  }

  /** Ends every held poll (before the server closes). */
  close(): void {
    for (const state of this.#tabs.values()) this.#release(state);
  }
}
