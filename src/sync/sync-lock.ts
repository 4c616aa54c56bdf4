import { type ConnectionSource, transact } from '../idb/transact.js';
import { SYNC_STATE_KEYS, SYNC_STATE_STORE } from './internal-stores.js';
import type { TabChannel } from './tab-channel.js';

/** A cross-tab mutual exclusion: at most one holder per name across the tabs of an origin. */
export interface CrossTabLock {
  /**
   * Waits for the lock, runs `fn` while holding it, releases it. Rejects with the signal's reason
   * when `signal` aborts while waiting.
   */
  withLock<T>(fn: () => Promise<T>, signal: AbortSignal, onWaiting?: () => void): Promise<T>;
}

/** The part of the Web Locks API (`navigator.locks`) the runner uses. */
export interface LockManagerLike {
  /** `navigator.locks.request`: runs `callback` while holding the lock `name`. */
  request<T>(
    name: string,
    options: { signal?: AbortSignal; ifAvailable?: boolean },
    callback: (lock: unknown) => Promise<T>,
  ): Promise<T>;
}

/** A lock on the Web Locks API: released by the browser when the holding tab closes or crashes. */
export function webLock(locks: LockManagerLike, name: string): CrossTabLock {
  return {
    async withLock(fn, signal, onWaiting) {
      if (onWaiting === undefined) return locks.request(name, { signal }, () => fn());
      // First ask without queueing, to tell the caller whether it has to wait.
      const taken = { done: false, value: undefined as unknown };
      await locks.request(name, { ifAvailable: true }, async (lock) => {
        if (lock === null) return;
        taken.done = true;
        taken.value = await fn();
      });
      if (taken.done) return taken.value as Awaited<ReturnType<typeof fn>>;
      onWaiting();
      return locks.request(name, { signal }, () => fn());
    },
  };
}

/** Options of {@link idbLock}. */
export interface IdbLockOptions {
  readonly connect: ConnectionSource;
  /** Key of the lock record in `_sync`. */
  readonly key: string;
  /** This holder's unique id. */
  readonly owner: string;
  /** A holder that stops renewing (a closed tab) loses the lock after this long, in milliseconds. */
  readonly ttlMs: number;
  /** Subscribes to "a lock was released" news from other tabs; returns the unsubscribe function. */
  readonly onReleased: (listener: () => void) => () => void;
  /** Tells other tabs that the lock was released. */
  readonly announceRelease: () => void;
}

/** The fallback lock's record in `_sync`. */
interface LeaseRecord {
  readonly owner?: string;
  readonly expiresAt?: number;
  /** The IndexedDB version of the connection that took or renewed the lease. */
  readonly idbVersion?: number;
}

/**
 * The fallback lock where Web Locks are missing: a record `{ owner, expiresAt, idbVersion }` in
 * `_sync`, taken and checked in one transaction, renewed every third of its lifetime while held. A
 * tab that closes without releasing it (a crash) blocks the others for at most `ttlMs`. A lease taken
 * on a connection older than the database (another tab upgraded it, which closed that connection for
 * good: the holder's run was cut and its release cannot reach the database) is free at once.
 */
export function idbLock(options: IdbLockOptions): CrossTabLock {
  const { connect, key, owner, ttlMs } = options;
  const tryAcquire = () =>
    transact(connect, [SYNC_STATE_STORE], 'readwrite', (scope) => {
      const store = scope.store(SYNC_STATE_STORE);
      let waitMs = 0;
      const idbVersion = scope.tx.db.version;
      scope.on(store.get(key), (record: LeaseRecord | undefined) => {
        const now = Date.now();
        if (record !== undefined && record.owner !== owner && (record.expiresAt ?? 0) > now) {
          // A lease taken before an upgrade is void: the upgrade closed every older connection and
          // none reopens at an older version (its tab's run was cut), so it would only block until it runs out.
          const cutByUpgrade = record.idbVersion !== undefined && record.idbVersion < idbVersion;
          if (!cutByUpgrade) {
            waitMs = (record.expiresAt ?? now) - now;
            return;
          }
        }
        store.put({ key, owner, expiresAt: now + ttlMs, idbVersion } satisfies LeaseRecord & { key: string });
      });
      return () => waitMs;
    });
  const release = () =>
    transact(connect, [SYNC_STATE_STORE], 'readwrite', (scope) => {
      const store = scope.store(SYNC_STATE_STORE);
      scope.on(store.get(key), (record: { owner?: string } | undefined) => {
        if (record?.owner === owner) store.delete(key);
      });
      return () => undefined;
    });

  return {
    async withLock(fn, signal, onWaiting) {
      for (let attempt = 0; ; attempt += 1) {
        signal.throwIfAborted();
        const waitMs = await tryAcquire();
        if (waitMs === 0) break;
        if (attempt === 0) onWaiting?.();
        await waitForRelease(waitMs, signal, options.onReleased);
      }
      const renew = setInterval(
        () => {
          tryAcquire().catch(() => undefined);
        },
        Math.max(1, Math.floor(ttlMs / 3)),
      );
      try {
        return await fn();
      } finally {
        clearInterval(renew);
        await release().catch(() => undefined);
        options.announceRelease();
      }
    },
  };
}

/** Resolves when another tab announces a release, when the holder's lease runs out, or rejects on abort. */
function waitForRelease(
  waitMs: number,
  signal: AbortSignal,
  onReleased: (listener: () => void) => () => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      unsubscribe();
      signal.removeEventListener('abort', abort);
    };
    const wake = () => {
      done();
      resolve();
    };
    const abort = () => {
      done();
      reject(signal.reason);
    };
    const timer = setTimeout(wake, waitMs + 1);
    const unsubscribe = onReleased(wake);
    signal.addEventListener('abort', abort, { once: true });
  });
}

/** Options of {@link crossTabLock}. */
export interface CrossTabLockOptions {
  /** Lock name, unique per database and purpose. */
  readonly name: string;
  /** Web Locks manager; `undefined`: `navigator.locks`; `null`: always the fallback. */
  readonly locks: LockManagerLike | null | undefined;
  readonly connect: ConnectionSource;
  readonly owner: string;
  readonly ttlMs: number;
  /** The client's channel (opened lazily), to hear and announce fallback lock releases. */
  readonly channel: () => TabChannel | undefined;
}

/** Web Locks where the browser has them, else the lease record in `_sync` ({@link idbLock}). */
export function crossTabLock(options: CrossTabLockOptions): CrossTabLock {
  const locks =
    options.locks === undefined
      ? (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks
      : options.locks;
  if (locks != null) return webLock(locks, options.name);
  return idbLock({
    connect: options.connect,
    key: `${SYNC_STATE_KEYS.lock}:${options.name.split(':').at(-1)}`,
    owner: options.owner,
    ttlMs: options.ttlMs,
    onReleased: (listener) => {
      const subscription = options.channel()?.messages$.subscribe((message) => {
        if (message.type === 'lock-released') listener();
      });
      return () => subscription?.unsubscribe();
    },
    announceRelease: () => options.channel()?.post({ type: 'lock-released', key: options.name }),
  });
}
