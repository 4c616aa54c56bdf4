import type { Driver } from '../../e2e/harness/driver.js';
import type { Storage } from './results.js';

/**
 * Reads the memory of the page's JavaScript: Chromium's V8 heap over CDP, or (WebKit offers no
 * heap API to automation) the resident memory of the WebKit web content process.
 */
export interface MemoryProbe {
  /** What the figure is, for the report. */
  readonly kind: 'v8-heap-used' | 'web-process-rss';
  /** Forces a full garbage collection when the engine allows it; returns whether it did. */
  collectGarbage(): Promise<boolean>;
  /** The current figure, in bytes. */
  read(): Promise<number>;
}

/** One benchmark session: fresh storage, one tab, its memory probe. */
export interface BenchSession {
  readonly driver: Driver;
  readonly memory: MemoryProbe;
  close(): Promise<void>;
}

/** A browser (and storage kind) the benchmark runs in. */
export interface BenchEngine {
  readonly name: 'chromium' | 'webkit';
  readonly storage: Storage;
  /** What is missing to run it, or undefined. */
  missing(): string | undefined;
  start(): Promise<void>;
  /** A new session with empty storage; `scriptTimeoutMs` bounds one page call. */
  newSession(scriptTimeoutMs: number): Promise<BenchSession>;
  stop(): Promise<void>;
}
