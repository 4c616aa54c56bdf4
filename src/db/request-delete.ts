import { DeleteBlockedError } from '../errors/delete-blocked-error.js';
import { wrapDomException } from '../errors/wrap-dom-exception.js';
import { Multicast } from '../rx/multicast.js';
import type { Observable } from '../rx/observable.js';

/** A `deleteDatabase` request in progress. It stays queued in the browser until it is done. */
export interface DeleteAttempt {
  readonly phase$: Observable<'waiting' | 'blocked'>;
  readonly result: Promise<void>;
}

/** Starts deleting `name`. Other connections get `versionchange` with `newVersion` null. */
export function startDelete(factory: IDBFactory, name: string): DeleteAttempt {
  const phase$ = new Multicast<'waiting' | 'blocked'>('waiting');
  const result = new Promise<void>((resolve, reject) => {
    const request = factory.deleteDatabase(name);
    request.onblocked = () => phase$.next('blocked');
    request.onsuccess = () => resolve();
    request.onerror = (event) => {
      event.preventDefault();
      reject(wrapDomException(request.error, { database: name, operation: 'delete' }));
    };
  }).finally(() => phase$.complete());
  result.catch(() => {}); // reported to waiters
  return { phase$: phase$.asObservable(), result };
}

/**
 * Waits for a deletion for at most `timeoutMs` (from now), then rejects with
 * {@link DeleteBlockedError}; the deletion itself goes on.
 */
export function waitForDelete(attempt: DeleteAttempt, database: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new DeleteBlockedError(database, timeoutMs)), timeoutMs);
    attempt.result.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
