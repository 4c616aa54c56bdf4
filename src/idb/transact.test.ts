import { afterEach, describe, expect, it } from 'vitest';
import { openRaw, uniqueName, within } from '../../test/db/test-support.js';
import { isIdbSyncError } from '../errors/idb-sync-error.js';
import type { Connection, ConnectionSource } from './connection.js';
import { transact } from './transact.js';

/** A connection source over raw connections to one database, remembering what it handed out. */
function rawSource(name: string, graceMs = 50) {
  const opened: Connection[] = [];
  const discarded: Connection[] = [];
  let current: Connection | undefined;
  let loseNext = false;
  const source: ConnectionSource & { opened: Connection[]; discarded: Connection[]; loseNext(): void } = {
    database: name,
    lostConnectionGraceMs: graceMs,
    opened,
    discarded,
    loseNext: () => {
      loseNext = true;
    },
    async connect() {
      if (current && !current.dead) return current;
      const raw = await openRaw(name, 1, (db) => db.createObjectStore('s', { keyPath: 'id' }));
      // A connection the browser dropped: its `close` event already fired.
      const lost = loseNext ? Promise.resolve() : new Promise<void>(() => {});
      loseNext = false;
      current = { raw, dead: false, lost };
      opened.push(current);
      return current;
    },
    discard(connection) {
      discarded.push(connection);
      connection.dead = true;
      if (current === connection) current = undefined;
    },
  };
  return source;
}

const sources: ReturnType<typeof rawSource>[] = [];
function source(prefix: string, graceMs?: number) {
  const created = rawSource(uniqueName(prefix), graceMs);
  sources.push(created);
  return created;
}

afterEach(() => {
  for (const s of sources.splice(0)) for (const c of s.opened) c.raw.close();
});

describe('transact (the callback-style transaction of the sync engine)', () => {
  it('resolves with the result after the transaction committed', async () => {
    const s = source('tx-commit');
    const id = await transact(s, ['s'], 'readwrite', (scope) => {
      scope.store('s').put({ id: 'a', n: 1 });
      return () => 'a';
    });
    expect(id).toBe('a');
    const read = await transact(s, ['s'], 'readonly', (scope) => {
      let value: unknown;
      scope.on(scope.store('s').get('a'), (v) => {
        value = v;
      });
      return () => value;
    });
    expect(read).toEqual({ id: 'a', n: 1 });
  });

  it('replaces a connection found closed when the transaction starts, and runs the body once', async () => {
    const s = source('tx-closed');
    const first = await s.connect();
    first.raw.close(); // closed by other code: no event tells the source
    let runs = 0;
    await transact(s, ['s'], 'readwrite', (scope) => {
      runs += 1;
      scope.store('s').put({ id: 'b' });
      return () => undefined;
    });
    expect(runs).toBe(1);
    expect(s.discarded).toEqual([first]);
    expect(s.opened).toHaveLength(2);
  });

  it('rejects with the typed error of a failed request, and writes nothing', async () => {
    const s = source('tx-constraint');
    await transact(s, ['s'], 'readwrite', (scope) => {
      scope.store('s').add({ id: 'c' });
      return () => undefined;
    });
    const failed = transact(s, ['s'], 'readwrite', (scope) => {
      scope.store('s').put({ id: 'd' });
      scope.on(scope.store('s').add({ id: 'c' }));
      return () => undefined;
    });
    const error = await failed.catch((e: unknown) => e);
    expect(isIdbSyncError(error, 'CONSTRAINT_VIOLATION')).toBe(true);
    if (isIdbSyncError(error, 'CONSTRAINT_VIOLATION')) expect(error.stores).toEqual(['s']);
    const count = await transact(s, ['s'], 'readonly', (scope) => {
      let n = 0;
      scope.on(scope.store('s').count(), (c) => {
        n = c;
      });
      return () => n;
    });
    expect(count).toBe(1);
  });

  it('rejects with what the body throws before any request, and the connection keeps working', async () => {
    // Regression: indexeddbshim wedges a connection whose transaction is aborted before its first
    // request ran; the sync engine's old core aborted at once, and every later transaction hung.
    const s = source('tx-throw');
    const thrown = new Error('refused before any request');
    await expect(
      transact(s, ['s'], 'readwrite', () => {
        throw thrown;
      }),
    ).rejects.toBe(thrown);
    await within(
      transact(s, ['s'], 'readwrite', (scope) => {
        scope.store('s').put({ id: 'e' });
        return () => undefined;
      }),
      5_000,
      'a transaction after the abort',
    );
  });

  it('rejects with DatabaseClosedError when the connection was dropped and the transaction never finishes', async () => {
    const s = source('tx-lost', 50);
    s.loseNext();
    let keepAlive = true;
    const hanging = transact(s, ['s'], 'readonly', (scope) => {
      // Keeps the transaction busy, as Safari leaves one unfinished after dropping its connection.
      const spin = (): void => {
        if (keepAlive) scope.on(scope.store('s').get('none'), spin);
      };
      spin();
      return () => undefined;
    });
    const error = await within(
      hanging.catch((e: unknown) => e),
      5_000,
      'the rejection',
    );
    keepAlive = false;
    expect(isIdbSyncError(error, 'DATABASE_CLOSED')).toBe(true);
    expect(s.discarded).toHaveLength(1);
  });
});
