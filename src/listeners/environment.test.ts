import { describe, expect, it } from 'vitest';
import { type BrowserGlobals, browserEnvironment } from './environment.js';

/** An EventTarget that counts its listeners, standing in for `window` / `document` in Node. */
class CountingTarget extends EventTarget {
  listeners = 0;
  override addEventListener(...args: Parameters<EventTarget['addEventListener']>): void {
    this.listeners += 1;
    super.addEventListener(...args);
  }
  override removeEventListener(...args: Parameters<EventTarget['removeEventListener']>): void {
    this.listeners -= 1;
    super.removeEventListener(...args);
  }
}

function fakeBrowser(onLine: boolean, visibilityState: string) {
  const window = new CountingTarget();
  const document = Object.assign(new CountingTarget(), { visibilityState });
  const globals: BrowserGlobals = {
    addEventListener: window.addEventListener.bind(window),
    removeEventListener: window.removeEventListener.bind(window),
    navigator: { onLine },
    document,
  };
  return { window, document, globals };
}

// Pure scheduling logic, no IndexedDB: run it once, in the fake-indexeddb project.
describe.runIf(globalThis.__IDB_BACKEND__ === 'fake-indexeddb')('browser environment', () => {
  it('adds no event listener until subscribed and removes them all on unsubscribe', () => {
    const { window, document, globals } = fakeBrowser(true, 'visible');
    const environment = browserEnvironment(globals);
    expect(window.listeners + document.listeners).toBe(0);
    const online = environment.online$.subscribe();
    const visible = environment.visible$.subscribe();
    expect(window.listeners).toBe(2);
    expect(document.listeners).toBe(1);
    online.unsubscribe();
    visible.unsubscribe();
    expect(window.listeners + document.listeners).toBe(0);
  });

  it('emits the current state, then online/offline and visibility changes', () => {
    const { window, document, globals } = fakeBrowser(false, 'hidden');
    const environment = browserEnvironment(globals);
    const online: boolean[] = [];
    const visible: boolean[] = [];
    const subscriptions = [
      environment.online$.subscribe((value) => online.push(value)),
      environment.visible$.subscribe((value) => visible.push(value)),
    ];
    window.dispatchEvent(new Event('online'));
    window.dispatchEvent(new Event('online'));
    window.dispatchEvent(new Event('offline'));
    document.visibilityState = 'visible';
    document.dispatchEvent(new Event('visibilitychange'));
    document.visibilityState = 'hidden';
    document.dispatchEvent(new Event('visibilitychange'));
    for (const subscription of subscriptions) subscription.unsubscribe();
    expect(online).toEqual([false, true, false]);
    expect(visible).toEqual([false, true, false]);
  });

  it('is always online and visible where there is no window or document (Node, workers)', () => {
    const environment = browserEnvironment({});
    const seen: boolean[] = [];
    environment.online$.subscribe((value) => seen.push(value)).unsubscribe();
    environment.visible$.subscribe((value) => seen.push(value)).unsubscribe();
    expect(seen).toEqual([true, true]);
  });
});
